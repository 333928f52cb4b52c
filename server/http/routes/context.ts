/** What the domain routes are built from, and small translation helpers they share. */
import type { FastifyRequest } from 'fastify';
import { parseAmount, toAmountInput, type AmountInput } from '../../domain/grammar/amount.js';
import { parseDuration, toSeconds } from '../../domain/grammar/duration.js';
import type { Database } from '../../../db/client.js';
import { actorLabel, CHAT_KEY_PREFIX, type Actor } from '../../domain/actor.js';
import { errors } from '../../domain/errors.js';
import type { ActivityService } from '../../services/activity.js';
import type { ChannelService } from '../../services/channels.js';
import type { MissionService } from '../../services/missions.js';
import { requestHash, type IdempotencyRequest } from '../../services/transaction.js';
import type { VerdictService } from '../../services/verdicts.js';
import type { ViewerService } from '../../services/viewers.js';
import type { Channel } from '../../services/channels.js';

export interface RouteServices {
  db: Database;
  channels: ChannelService;
  viewers: ViewerService;
  missions: MissionService;
  verdicts: VerdictService;
  activity: ActivityService;
  publicUrl: string;
  /** Called after an overlay key rotation, to disconnect overlays using the old key. */
  onOverlayKeyRotated?: (channel: string) => void;
}

/**
 * The `Idempotency-Key` of a write, scoped to the channel. The hash covers the route, the body
 * and who acts, so the same key with a different request is refused rather than replayed.
 */
export function idempotencyOf(request: FastifyRequest, channel: Pick<Channel, 'id'>, actor: Actor): IdempotencyRequest | undefined {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return undefined;
  if (key.length > 200) throw errors.validation('Idempotency-Key must be at most 200 characters');
  // The bot's own keys are Twitch message ids under this prefix; API keys stay out of that space.
  if (key.startsWith(CHAT_KEY_PREFIX)) throw errors.validation(`Idempotency-Key must not start with "${CHAT_KEY_PREFIX}"`);
  const who = actorLabel(actor);
  return {
    scope: `channel:${channel.id}`,
    key,
    hash: requestHash([request.method, request.routeOptions.url, request.params, request.body ?? null, who]),
  };
}

/** A body amount (points, or "all", "half", "25%") through the same grammar as chat. */
export function amountFromBody(value: number | string): AmountInput {
  if (typeof value === 'number') return value;
  const parsed = parseAmount(value);
  if (!parsed.ok) throw errors.validation(`"${value}" is not an amount like 500, "all", "half" or "25%"`);
  return toAmountInput(parsed.value);
}

/** A body duration (seconds, or a string like "10m") through the same grammar and rounding as chat. */
export function secondsFromBody(value: number | string): number {
  if (typeof value === 'number') return value;
  const parsed = parseDuration(value);
  if (!parsed.ok) throw errors.validation(`"${value}" is not a duration like 90s, 10m or 1h30m`);
  return toSeconds(parsed.value);
}

/**
 * A numeric cursor, bounded by its column's range (`MAX_INT4` for mission numbers; row ids are
 * bigints, bounded by what a JavaScript number holds exactly): past it, a 400, not a database error.
 */
export function numericCursor(cursor: string | undefined, max: number): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,16}$/.test(cursor) || Number(cursor) > max) throw errors.validation('cursor is not valid');
  return Number(cursor);
}
