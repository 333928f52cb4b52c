/**
 * Authorisation helpers for route handlers. Each throws a DomainError (UNAUTHORIZED without a
 * valid credential, FORBIDDEN with the wrong one), which the error handler maps to 401/403.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/actor.js';
import {
  actorFor,
  adminFor,
  canSeeChannelSecrets,
  memberOf,
  ownerOrAdminFor,
  selfActorFor,
  type ChannelRef,
  type ChannelRole,
  type Principal,
} from './principal.js';

const ANONYMOUS: Principal = { kind: 'anonymous' };
const principalOf = (request: FastifyRequest): Principal => request.principal ?? ANONYMOUS;

/**
 * The actor for a write in `channel`: the admin, a moderator/owner token of this channel, or the
 * bot token acting for the chat user named in the `X-Acting-*` headers of a message from this channel.
 */
export function requireActor(request: FastifyRequest, channel: ChannelRef): Actor {
  return actorFor(principalOf(request), request.headers, channel);
}

/** The admin token only. */
export function requireAdmin(request: FastifyRequest): Actor {
  return adminFor(principalOf(request));
}

/** The admin or this channel's owner token (settings, overlay key, audit). */
export function requireOwnerOrAdmin(request: FastifyRequest, channel: ChannelRef): Actor {
  return ownerOrAdminFor(principalOf(request), channel);
}

/** The owner, a moderator or the admin of this channel (token or session), for its private reads. */
export function requireChannelMember(request: FastifyRequest, channel: ChannelRef): ChannelRole {
  return memberOf(principalOf(request), channel);
}

/** For public reads that show more to the channel's owner or the admin (overlay key and URL). */
export function canSeeSecrets(request: FastifyRequest, channel: ChannelRef): boolean {
  return canSeeChannelSecrets(principalOf(request), channel);
}

/** The signed-in Twitch user acting as themself in `channel` (the public board's pledges). */
export function requireSelf(request: FastifyRequest, channel: ChannelRef) {
  return selfActorFor(principalOf(request), channel);
}
