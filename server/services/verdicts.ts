/**
 * Every state change after a proposal: approve, reject, success, fail, cancel, extend, and the
 * timer-driven ones (deadline, verdict grace, pending timeout). A change to a terminal status
 * settles small missions in the same transaction and queues a batched settlement for big ones.
 */
import type { Tx } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import type { ActivityAction } from '../domain/activity.js';
import { WORKER_ORIGIN } from '../domain/activity-origin.js';
import { actorLabel, isModerator, type Actor } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { extendedDeadline, nextStatus, settlementFor, type MissionAction } from '../domain/mission-rules.js';
import type { MissionDto } from '../domain/types.js';
import type { DomainEvent, MissionResolvedEvent } from '../events/types.js';
import {
  countUnsettled,
  findMission,
  findMissionById,
  hasOtherPledgers,
  hasPledged,
  updateMission,
} from '../repositories/missions-repository.js';
import { findChannelById } from '../repositories/channels-repository.js';
import { toChannel, type Channel } from './channels.js';
import { recordActivity } from './activity.js';
import { publishSafely, type ServiceDeps } from './context.js';
import { missionDto } from './mission-views.js';
import { INLINE_SETTLEMENT_LIMIT, settleBatch } from './settlement.js';
import { runWrite, type IdempotencyRequest } from './transaction.js';

export type VerdictAction = 'approve' | 'reject' | 'success' | 'fail' | 'cancel';

interface ChangeOutcome {
  dto: MissionDto;
  missionId: number;
  needsSettlementJob: boolean;
  events: DomainEvent[];
}

const CAUSE: Partial<Record<MissionAction, MissionResolvedEvent['cause']>> = {
  success: 'verdict',
  fail: 'verdict',
  reject: 'reject',
  cancel: 'cancel',
  grace_expired: 'expired',
  pending_timeout: 'pending_timeout',
};

/** What the audit trail calls each transition. */
const RECORDED_AS: Record<MissionAction, ActivityAction> = {
  approve: 'mission.approved',
  reject: 'mission.rejected',
  success: 'mission.succeeded',
  fail: 'mission.failed',
  cancel: 'mission.cancelled',
  extend: 'mission.extended',
  deadline: 'mission.closed',
  grace_expired: 'mission.expired',
  pending_timeout: 'mission.timed_out',
};

export function createVerdictService(deps: ServiceDeps) {
  const { db } = deps;

  async function authorise(tx: Tx, channel: Channel, mission: MissionRow, action: VerdictAction | 'extend', actor: Actor) {
    if (action === 'cancel' && !isModerator(actor)) {
      // The proposer may withdraw while nobody else has backed the mission.
      const isProposer = actor.kind === 'chat' && actor.user.userId === mission.proposerId;
      if (!isProposer) throw errors.forbidden('Only moderators or the proposer can cancel a mission');
      if (await hasOtherPledgers(tx, mission.id, mission.proposerId)) {
        throw errors.forbidden('Others have pledged; only a moderator can cancel now');
      }
      return;
    }
    if (!isModerator(actor)) throw errors.forbidden('Only moderators can do that');
    const judging = action === 'success' || action === 'fail';
    if (
      judging &&
      channel.settings.resolverMustNotHavePledged &&
      actor.kind === 'chat' &&
      actor.role === 'moderator' &&
      (await hasPledged(tx, mission.id, actor.user.userId))
    ) {
      throw errors.resolverHasPledged(mission.number);
    }
  }

  /** Applies a transition to a locked mission row; settles inline when small. */
  async function transition(
    tx: Tx,
    channel: Channel,
    mission: MissionRow,
    action: MissionAction,
    fields: { actor?: string; reason?: string | null; now: Date },
  ): Promise<ChangeOutcome> {
    const status = nextStatus(mission.number, mission.status, action);
    const now = fields.now;
    const values: Partial<MissionRow> = { status };
    if (action === 'approve') {
      values.openedAt = now;
      values.deadline = new Date(now.getTime() + mission.durationMs);
    }
    if (action === 'deadline') values.closedAt = now;
    const outcome = settlementFor(status);
    if (outcome !== null) {
      values.resolvedAt = now;
      values.resolvedBy = fields.actor ?? 'system';
      values.reason = fields.reason ?? null;
    }
    let updated = await updateMission(tx, mission.id, values);
    let needsSettlementJob = false;
    if (outcome !== null) {
      if ((await countUnsettled(tx, mission.id)) <= INLINE_SETTLEMENT_LIMIT) {
        await settleBatch(tx, mission.id, INLINE_SETTLEMENT_LIMIT, now);
        updated = (await findMissionById(tx, mission.id))!;
      } else {
        needsSettlementJob = true;
      }
    }
    const dto = await missionDto(tx, updated, channel.settings);
    const at = now.toISOString();
    const events: DomainEvent[] = [];
    if (outcome !== null) {
      events.push({
        type: 'resolved',
        channel: channel.login,
        at,
        outcome: status as MissionResolvedEvent['outcome'],
        cause: CAUSE[action] ?? 'verdict',
        mission: dto,
      });
    } else {
      const change = action === 'approve' ? 'opened' : action === 'deadline' ? 'closed' : 'extended';
      events.push({ type: 'mission', channel: channel.login, at, change, mission: dto });
    }
    return { dto, missionId: mission.id, needsSettlementJob, events };
  }

  async function afterCommit(outcome: ChangeOutcome): Promise<void> {
    const { dto, missionId } = outcome;
    if (dto.status === 'open' && dto.deadline) {
      await deps.scheduler.schedule('deadline', missionId, new Date(dto.deadline));
    } else if (dto.status === 'closed' && dto.graceEndsAt) {
      await deps.scheduler.schedule('grace', missionId, new Date(dto.graceEndsAt));
    } else if (settlementFor(dto.status) !== null) {
      await deps.scheduler.cancelAll(missionId);
    }
    if (outcome.needsSettlementJob) await deps.scheduler.enqueueSettlement(missionId);
    publishSafely(deps, outcome.events);
  }

  /** A moderator's (or proposer's) action on mission `number`. */
  async function act(
    channel: Channel,
    number: number,
    action: VerdictAction,
    actor: Actor,
    options: { reason?: string; idempotency?: IdempotencyRequest } = {},
  ): Promise<{ mission: MissionDto; replayed: boolean }> {
    const reason = options.reason?.trim().slice(0, 200) || null;
    const { value, replayed } = await runWrite(db, options.idempotency, async (tx) => {
      const mission = await findMission(tx, channel.id, number, 'update');
      if (!mission) throw errors.missionNotFound(number);
      await authorise(tx, channel, mission, action, actor);
      if (action === 'approve' && mission.status !== 'pending') throw errors.missionNotPending(number, mission.status);
      const outcome = await transition(tx, channel, mission, action, { actor: actorLabel(actor), reason, now: deps.now() });
      await recordActivity(tx, actor, {
        channelId: channel.id,
        action: RECORDED_AS[action],
        missionNumber: number,
        amount: outcome.dto.pot,
        reason,
      });
      return outcome;
    });
    if (!replayed) await afterCommit(value);
    return { mission: value.dto, replayed };
  }

  async function extend(
    channel: Channel,
    number: number,
    extensionSeconds: number,
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ mission: MissionDto; replayed: boolean }> {
    if (!Number.isSafeInteger(extensionSeconds) || extensionSeconds <= 0) {
      throw errors.validation('duration must be a positive number of seconds');
    }
    const { value, replayed } = await runWrite(db, idempotency, async (tx) => {
      const mission = await findMission(tx, channel.id, number, 'update');
      if (!mission) throw errors.missionNotFound(number);
      await authorise(tx, channel, mission, 'extend', actor);
      nextStatus(number, mission.status, 'extend');
      const now = deps.now();
      const deadline = extendedDeadline(mission.deadline, now, extensionSeconds * 1000, channel.settings.maxDuration * 1000);
      const updated = await updateMission(tx, mission.id, { status: 'open', deadline, closedAt: null });
      const dto = await missionDto(tx, updated, channel.settings);
      await recordActivity(tx, actor, {
        channelId: channel.id,
        action: 'mission.extended',
        missionNumber: number,
        details: { deadline: deadline.toISOString(), previousDeadline: mission.deadline?.toISOString() ?? null, extensionSeconds },
      });
      const event: DomainEvent = { type: 'mission', channel: channel.login, at: now.toISOString(), change: 'extended', mission: dto };
      return { dto, missionId: mission.id, needsSettlementJob: false, events: [event] };
    });
    if (!replayed) {
      await deps.scheduler.cancelAll(value.missionId);
      await afterCommit(value);
    }
    return { mission: value.dto, replayed };
  }

  /**
   * A timer fired. Idempotent and tolerant of stale jobs: it acts only if the mission is still
   * in the state the timer was set for and its time has really come.
   */
  async function onTimer(
    kind: 'deadline' | 'grace' | 'pending',
    missionId: number,
  ): Promise<{ state: 'applied' | 'skipped' } | { state: 'early'; due: Date }> {
    const result = await runWrite(db, undefined, async (tx) => {
      const mission = await findMissionById(tx, missionId, 'update');
      if (!mission) return { state: 'skipped' as const };
      const channelRow = await findChannelById(tx, mission.channelId);
      if (!channelRow) return { state: 'skipped' as const };
      const channel = toChannel(channelRow);
      const now = deps.now();
      const s = channel.settings;
      let action: MissionAction;
      let due: Date | null;
      if (kind === 'deadline') {
        action = 'deadline';
        due = mission.status === 'open' ? mission.deadline : null;
      } else if (kind === 'grace') {
        action = 'grace_expired';
        due = mission.status === 'closed' && mission.closedAt ? new Date(mission.closedAt.getTime() + s.verdictGrace * 1000) : null;
      } else {
        action = 'pending_timeout';
        due = mission.status === 'pending' ? new Date(mission.createdAt.getTime() + s.pendingTimeout * 1000) : null;
      }
      if (due === null) return { state: 'skipped' as const };
      if (due.getTime() > now.getTime()) return { state: 'early' as const, due };
      const reason = kind === 'pending' ? 'not approved in time' : kind === 'grace' ? 'no verdict before the grace period ended' : null;
      const outcome = await transition(tx, channel, mission, action, { reason, now });
      await recordActivity(tx, WORKER_ORIGIN, {
        channelId: channel.id,
        action: RECORDED_AS[action],
        missionNumber: mission.number,
        amount: outcome.dto.pot,
        reason,
      });
      return { state: 'applied' as const, outcome };
    });
    const { value } = result;
    if (value.state === 'applied') {
      await afterCommit(value.outcome);
      return { state: 'applied' };
    }
    return value;
  }

  return { act, extend, onTimer };
}

export type VerdictService = ReturnType<typeof createVerdictService>;
