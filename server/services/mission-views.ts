/** Maps mission and pledge rows to the API/event shapes. */
import type { Executor } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import type { ChannelSettings } from '../domain/settings.js';
import { parseActorLabel } from '../domain/actor.js';
import type { ActorRefDto, MissionDto, PledgeDto, ViewerRef } from '../domain/types.js';
import { findUsers } from '../repositories/channels-repository.js';
import { missionStats } from '../repositories/missions-repository.js';
import { namesOutsideUsers } from '../repositories/people-repository.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toViewerRef(user: { userId: string; login: string; displayName: string } | undefined, userId: string): ViewerRef {
  return user
    ? { userId: user.userId, login: user.login, displayName: user.displayName }
    : { userId, login: userId, displayName: userId };
}

type UserNames = { userId: string; login: string; displayName: string };

/** A `resolved_by` label as a person (names looked up in `users`), or null while unresolved. */
export function toActorRef(label: string | null, users: ReadonlyMap<string, UserNames>): ActorRefDto | null {
  if (label === null) return null;
  const parts = parseActorLabel(label);
  const none = { userId: null, login: null, displayName: null, tokenId: null };
  switch (parts.kind) {
    case 'user': {
      const ref = toViewerRef(users.get(parts.userId), parts.userId);
      return { ...none, kind: 'user', ...ref };
    }
    case 'token':
      return { ...none, kind: 'token', tokenId: parts.tokenId };
    default:
      return { ...none, kind: parts.kind };
  }
}

/** Loads stats and users (proposers, newest backers, judges) for many missions at once (no N+1). */
export async function missionDtos(tx: Executor, rows: readonly MissionRow[], settings: ChannelSettings): Promise<MissionDto[]> {
  const stats = await missionStats(tx, rows.map((r) => r.id));
  const userIds = new Set<string>();
  const judgeIds = new Set<string>();
  for (const r of rows) {
    userIds.add(r.proposerId);
    const newest = stats.get(r.id)?.newestBackerId;
    if (newest) userIds.add(newest);
    const judge = r.resolvedBy === null ? null : parseActorLabel(r.resolvedBy);
    if (judge?.kind === 'user') {
      userIds.add(judge.userId);
      judgeIds.add(judge.userId);
    }
  }
  const users: Map<string, UserNames> = await findUsers(tx, [...userIds]);
  const unnamedJudges = [...judgeIds].filter((id) => !users.has(id));
  for (const [id, names] of await namesOutsideUsers(tx, unnamedJudges)) users.set(id, names);
  return rows.map((r) => {
    const s = stats.get(r.id);
    const newestId = s?.newestBackerId ?? null;
    return {
      number: r.number,
      text: r.text,
      status: r.status,
      pot: s?.pot ?? 0,
      backers: s?.backers ?? 0,
      proposer: toViewerRef(users.get(r.proposerId), r.proposerId),
      createdAt: r.createdAt.toISOString(),
      openedAt: iso(r.openedAt),
      deadline: iso(r.deadline),
      resolvedAt: iso(r.resolvedAt),
      settled: r.settled,
      reason: r.reason,
      newestBacker: newestId ? toViewerRef(users.get(newestId), newestId) : null,
      graceEndsAt: r.status === 'closed' && r.closedAt ? new Date(r.closedAt.getTime() + settings.verdictGrace * 1000).toISOString() : null,
      pendingExpiresAt:
        r.status === 'pending' ? new Date(r.createdAt.getTime() + settings.pendingTimeout * 1000).toISOString() : null,
      durationSeconds: Math.round(r.durationMs / 1000),
      closedAt: iso(r.closedAt),
      settledAt: iso(r.settledAt),
      resolvedBy: toActorRef(r.resolvedBy, users),
    };
  });
}

export async function missionDto(tx: Executor, row: MissionRow, settings: ChannelSettings): Promise<MissionDto> {
  const [dto] = await missionDtos(tx, [row], settings);
  return dto!;
}

export function toPledgeDto(
  pledge: { id: number; amount: number; createdAt: Date; settlement: 'refunded' | 'paid' | null; userId: string },
  missionNumber: number,
  user: { userId: string; login: string; displayName: string } | undefined,
): PledgeDto {
  return {
    id: pledge.id,
    missionNumber,
    viewer: toViewerRef(user, pledge.userId),
    amount: pledge.amount,
    createdAt: pledge.createdAt.toISOString(),
    settlement: pledge.settlement,
  };
}
