/**
 * The audit trail. `recordActivity` takes the caller's transaction, so an entry commits with the
 * action it records or not at all: a refused or failed action leaves no entry, and a replayed
 * idempotent request (which does not run the action again) leaves no second one. Pledges are
 * not copied here: the pledges table and the transfer journal are their append-only record.
 */
import type { Database, Tx } from '../../db/client.js';
import type { ActivityAction, ActivitySource } from '../domain/activity.js';
import { toOrigin, type ActivityBy, type ActivityPerson } from '../domain/activity-origin.js';
import type { ChatUser } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { insertActivity, listActivity, type ActivityRow } from '../repositories/activity-repository.js';

export interface ActivityInput {
  /** Null only for entries of the whole instance. */
  channelId: number | null;
  action: ActivityAction;
  missionNumber?: number | null;
  /** The viewer the action was about (points given or taken, the proposer of a mission). */
  subject?: ChatUser | null;
  amount?: number | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

/** Appends one entry per input, in `tx`: call it inside the transaction of the action. */
export async function recordActivity(tx: Tx, by: ActivityBy, entries: ActivityInput | readonly ActivityInput[]): Promise<void> {
  const { source, actor } = toOrigin(by);
  const list = Array.isArray(entries) ? entries : [entries as ActivityInput];
  await insertActivity(
    tx,
    list.map((e) => ({
      channelId: e.channelId,
      action: e.action,
      source,
      actorKind: actor.kind,
      actorUserId: actor.userId,
      actorLogin: actor.login,
      actorDisplayName: actor.displayName,
      actorTokenId: actor.tokenId,
      missionNumber: e.missionNumber ?? null,
      subjectUserId: e.subject?.userId ?? null,
      subjectLogin: e.subject?.login ?? null,
      subjectDisplayName: e.subject?.displayName ?? null,
      amount: e.amount ?? null,
      reason: e.reason ?? null,
      details: e.details ?? null,
    })),
  );
}

/** One entry as the REST API shows it (the `ActivityEntry` schema). */
export interface ActivityEntryDto {
  id: number;
  at: string;
  action: ActivityAction;
  source: ActivitySource;
  actor: ActivityPerson;
  missionNumber: number | null;
  subject: ActivityPerson | null;
  amount: number | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export interface ActivityQueryInput {
  action?: ActivityAction;
  source?: ActivitySource;
  actorLogin?: string;
  missionNumber?: number;
  since?: Date;
  until?: Date;
  cursor?: string;
  limit?: number;
}

export const DEFAULT_ACTIVITY_LIMIT = 50;

function toDto(row: ActivityRow): ActivityEntryDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action as ActivityAction,
    source: row.source as ActivitySource,
    actor: {
      kind: row.actorKind as ActivityPerson['kind'],
      userId: row.actorUserId,
      login: row.actorLogin,
      displayName: row.actorDisplayName,
      tokenId: row.actorTokenId,
    },
    missionNumber: row.missionNumber,
    subject:
      row.subjectUserId === null
        ? null
        : { kind: 'user', userId: row.subjectUserId, login: row.subjectLogin, displayName: row.subjectDisplayName, tokenId: null },
    amount: row.amount,
    reason: row.reason,
    details: (row.details as Record<string, unknown> | null) ?? null,
  };
}

/** The cursor is the last id of a page, wrapped so callers treat it as opaque. */
const encodeCursor = (id: number): string => Buffer.from(`a${id}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^a([1-9]\d{0,15})$/.exec(text);
  const id = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(id)) throw errors.validation('cursor is not valid');
  return id;
}

export function createActivityService(db: Database) {
  /** A channel's entries, newest first, `limit` a page, with the cursor of the next page or null. */
  async function list(channelId: number, query: ActivityQueryInput = {}): Promise<{ items: ActivityEntryDto[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_ACTIVITY_LIMIT;
    if (query.since && query.until && query.since >= query.until) throw errors.validation('since must be before until');
    const rows = await listActivity(db, {
      channelId,
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(query.source === undefined ? {} : { source: query.source }),
      ...(query.actorLogin === undefined ? {} : { actorLogin: query.actorLogin.toLowerCase() }),
      ...(query.missionNumber === undefined ? {} : { missionNumber: query.missionNumber }),
      ...(query.since === undefined ? {} : { since: query.since }),
      ...(query.until === undefined ? {} : { until: query.until }),
      ...(query.cursor === undefined ? {} : { beforeId: decodeCursor(query.cursor) }),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { items: page.map(toDto), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
  }

  return { list };
}

export type ActivityService = ReturnType<typeof createActivityService>;
