export {
  createRateBudget,
  SAFE_MODERATOR_LIMIT,
  SAFE_USER_LIMIT,
  TWITCH_WINDOW_MS,
  type RateBudget,
  type RateBudgetOptions,
} from './budget.js';
export { sanitizeChatText, splitMessage, TWITCH_MAX_MESSAGE_LENGTH } from './split.js';
export { createOutboxCore } from './outbox-core.js';
export { INVISIBLE_MARK, PART_MAX_LENGTH } from './duplicates.js';
export {
  PRIORITIES,
  type ChannelStats,
  type Drop,
  type DropReason,
  type DroppedMessage,
  type OutboxCore,
  type OutboxPolicy,
  type OutgoingMessage,
  type Priority,
  type Send,
} from './outbox-types.js';
export { createStageTracker, missionScope, stageOfStatus, type MissionScope, type MissionStage, type StageTracker } from './mission-stage.js';
export { noticeEffect, type NoticeEffect } from './notices.js';
export { createOutbox, setTimeoutSchedule, type Outbox, type OutboxOptions, type Schedule } from './outbox.js';
export {
  createPledgeCoalescer,
  type PledgeCoalescer,
  type PledgeCoalescerOptions,
  type PledgeConfirmation,
  type PledgeNotice,
} from './pledge-coalescer.js';
export { hasModeratorRate, type UserstateTags } from './userstate.js';
