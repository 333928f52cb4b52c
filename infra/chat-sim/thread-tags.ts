/**
 * Tags Twitch adds to a chat line beyond the sender's: a reply made with the Reply button
 * (`reply-parent-*`, `reply-thread-parent-*`) and a line shared in from a Shared Chat partner
 * channel (`source-*`). Pure.
 */
import { randomUUID } from 'node:crypto';
import type { TagOverrides } from './users.js';

/** The line replied to. */
export interface ReplyParent {
  id: string;
  login: string;
  userId: string;
  displayName: string;
  text: string;
}

/** Tags of a reply to `parent` (the thread starts at the parent: the simulator has no nesting). */
export function replyTags(parent: ReplyParent): TagOverrides {
  return {
    'reply-parent-display-name': parent.displayName,
    'reply-parent-msg-body': parent.text,
    'reply-parent-msg-id': parent.id,
    'reply-parent-user-id': parent.userId,
    'reply-parent-user-login': parent.login,
    'reply-thread-parent-msg-id': parent.id,
    'reply-thread-parent-user-login': parent.login,
  };
}

/** Chat clients put the parent's mention in front of the text the viewer typed. */
export const replyText = (parent: ReplyParent, text: string): string => `@${parent.login} ${text}`;

/** Tags of a line sent in the partner channel `sourceRoomId` and shared into this one. */
export function sharedChatTags(sourceRoomId: string): TagOverrides {
  return { 'source-room-id': sourceRoomId, 'source-id': randomUUID(), 'source-badges': '', 'source-badge-info': '' };
}
