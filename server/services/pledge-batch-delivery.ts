/**
 * After a pledge batch commits: one coalesced `pledge` event per mission, then every caller's own
 * result (a pledge, a typed error, or a replay of a pledge committed earlier under its key).
 */
import type { MissionRow } from '../../db/schema.js';
import type { ChatUser } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import type { MissionDto, PledgeDto } from '../domain/types.js';
import type { PledgeAddedEvent } from '../events/types.js';
import { findWallet } from '../ledger/accounts.js';
import { findMission } from '../repositories/missions-repository.js';
import type { KeyedPledge } from '../repositories/pledge-batch-repository.js';
import type { Channel } from './channels.js';
import { publishSafely, type ServiceDeps } from './context.js';
import { missionDto } from './mission-views.js';
import { liveMissionDto, type BatchMemory } from './pledge-batch-memory.js';
import type { Decision, PledgeRequest } from './pledge-decisions.js';

export interface PledgeOutcome {
  pledge: PledgeDto;
  mission: MissionDto;
  /** The wallet's balance right after this pledge. */
  balance: number;
  replayed: boolean;
  /** This viewer's first pledge on the mission. */
  firstPledge: boolean;
}

/** A pledge waiting in the batcher for its result. */
export interface Item {
  request: PledgeRequest;
  resolve: (outcome: PledgeOutcome) => void;
  reject: (err: unknown) => void;
}

/** What a committed batch leaves for its callers. */
export interface BatchResult {
  decisions: Decision[];
  missions: Map<number, MissionRow>;
  pots: Map<number, number>;
  newBackers: Map<number, number>;
  createdAt: Date;
  replays: Map<string, KeyedPledge>;
  /** Users this batch upserted (or found unchanged in the cache). */
  upserted: ChatUser[];
}

export function createBatchDelivery(deps: Pick<ServiceDeps, 'db' | 'bus' | 'logger' | 'now'>, memory: BatchMemory) {
  /** After commit: one event per mission, then every caller's result. */
  async function deliver(channel: Channel, items: readonly Item[], result: BatchResult): Promise<void> {
    const { decisions, missions, pots, newBackers, createdAt } = result;
    const dtos = new Map<number, MissionDto>();
    const events: PledgeAddedEvent[] = [];
    const at = createdAt.toISOString();
    for (const mission of missions.values()) {
      const pot = pots.get(mission.id);
      const memo = memory.memo(mission.id);
      if (pot === undefined || !memo) continue;
      memo.backers += newBackers.get(mission.id) ?? 0;
      const batch = decisions.flatMap((d, i) => (d.kind === 'accept' && d.missionId === mission.id ? [{ d, user: items[i]!.request.user }] : []));
      const newest = batch.at(-1)!.user;
      const newestBacker = { userId: newest.userId, login: newest.login, displayName: newest.displayName };
      dtos.set(mission.id, liveMissionDto(mission, pot, memo, newestBacker));
      events.push({
        type: 'pledge',
        channel: channel.login,
        at,
        missionNumber: mission.number,
        count: batch.length,
        amount: batch.reduce((sum, b) => sum + b.d.amount, 0),
        newBackers: newBackers.get(mission.id) ?? 0,
        pot,
        backers: memo.backers,
        newestBacker,
      });
    }
    publishSafely(deps, events);

    const replayedMissions = new Map<number, Promise<MissionDto>>();
    for (const [i, item] of items.entries()) {
      const d = decisions[i]!;
      const user = item.request.user;
      const viewer = { userId: user.userId, login: user.login, displayName: user.displayName };
      if (d.kind === 'error') item.reject(d.error);
      else if (d.kind === 'accept') {
        item.resolve({
          pledge: { id: d.pledgeId!, missionNumber: item.request.number, viewer, amount: d.amount, createdAt: at, settlement: null },
          mission: dtos.get(d.missionId)!,
          balance: d.balance,
          replayed: false,
          firstPledge: d.firstPledge,
        });
      } else if (d.kind === 'duplicate') {
        // Same key earlier in this batch: that pledge's result (or error), as a replay.
        const first = decisions[d.of]!;
        if (first.kind === 'accept') {
          item.resolve({
            pledge: { id: first.pledgeId!, missionNumber: item.request.number, viewer, amount: first.amount, createdAt: at, settlement: null },
            mission: dtos.get(first.missionId)!,
            balance: first.balance,
            replayed: true,
            firstPledge: false,
          });
        } else if (first.kind === 'error') item.reject(first.error);
      } else {
        await replayOf(channel, item.request, d.existing, replayedMissions).then(item.resolve, item.reject);
      }
    }
  }

  /**
   * A committed pledge found under the request's key: the same pledge, with the mission as it is
   * now. `missions` shares one mission read among a batch's replays (a read counts the mission's
   * backers: ~37 ms at 60,000 pledges, once per batch instead of once per replayed request).
   */
  async function replayOf(
    channel: Channel,
    request: PledgeRequest,
    existing: KeyedPledge,
    missions: Map<number, Promise<MissionDto>>,
  ): Promise<PledgeOutcome> {
    let mission = missions.get(existing.missionNumber);
    if (!mission) {
      mission = findMission(deps.db, channel.id, existing.missionNumber).then((row) => {
        if (!row) throw errors.missionNotFound(existing.missionNumber);
        return missionDto(deps.db, row, channel.settings);
      });
      missions.set(existing.missionNumber, mission);
    }
    const wallet = (await findWallet(deps.db, channel.id, request.user.userId))?.balance ?? 0;
    const user = request.user;
    return {
      pledge: {
        id: existing.id,
        missionNumber: existing.missionNumber,
        viewer: { userId: user.userId, login: user.login, displayName: user.displayName },
        amount: existing.amount,
        createdAt: existing.createdAt.toISOString(),
        settlement: null,
      },
      mission: await mission,
      balance: wallet,
      replayed: true,
      firstPledge: false,
    };
  }

  return { deliver };
}
