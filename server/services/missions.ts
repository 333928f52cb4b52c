/** Proposals, pledges and mission reads. Verdicts live in verdicts.ts. */
import { sql } from 'drizzle-orm';
import { cleanChatText, codePointLength, MAX_TEXT_LENGTH } from '../domain/grammar/text.js';
import type { Executor } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import { actorLabel, identitySource, isModerator, type Actor, type ChatUser } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { containsBlockedWord } from '../domain/settings.js';
import type { MissionDto, MissionStatus, PledgeDto } from '../domain/types.js';
import type { PledgeAddedEvent } from '../events/types.js';
import { findUsers } from '../repositories/channels-repository.js';
import {
  createEscrow,
  debitIfCovered,
  escrowOf,
  findWallet,
  insertJournal,
  applyDeltas,
  lockWallet,
} from '../repositories/ledger-repository.js';
import {
  countActive,
  findMission,
  findPledgeByKey,
  hasPledged,
  insertMission,
  insertPledge,
  lastProposalAt,
  listMissions,
  listPledges,
  missionStats,
  nextMissionNumber,
} from '../repositories/missions-repository.js';
import type { Channel } from './channels.js';
import { publishSafely, type ServiceDeps } from './context.js';
import { missionDto, missionDtos, toPledgeDto } from './mission-views.js';
import { runWrite, type IdempotencyRequest } from './transaction.js';
import { claimedIdentity, ensureViewer } from './viewers.js';
import { createPledgeBatcher, MAX_AMOUNT, type AmountInput, type PledgeBatcherOptions } from './pledge-batcher.js';

const lockChannel = (channelId: number) => sql`SELECT 1 FROM channels WHERE id = ${channelId} FOR UPDATE`;
export { MAX_AMOUNT, type AmountInput } from './pledge-batcher.js';

export interface ProposeInput {
  text: string;
  amount?: AmountInput;
  durationSeconds?: number;
  proposer: ChatUser;
}

/** The same cleaning chat text gets (invisible and control characters out), for REST input too. */
function cleanText(text: string): string {
  const cleaned = cleanChatText(text);
  if (cleaned === '') throw errors.validation('Mission text must not be empty');
  if (codePointLength(cleaned) > MAX_TEXT_LENGTH) {
    throw errors.validation(`Mission text must be at most ${MAX_TEXT_LENGTH} characters`);
  }
  return cleaned;
}

async function resolveAmount(tx: Executor, walletId: number, amount: AmountInput): Promise<number> {
  if (typeof amount === 'number') return amount;
  const balance = await lockWallet(tx, walletId);
  if (amount.kind === 'all') return balance;
  if (amount.kind === 'half') return Math.floor(balance / 2);
  return Math.floor((balance * amount.percent) / 100);
}

export function createMissionService(deps: ServiceDeps, batcherOptions?: PledgeBatcherOptions) {
  const { db } = deps;
  // Every pledge (chat and REST) goes through one micro-batcher per process.
  const batcher = createPledgeBatcher(deps, batcherOptions);

  /**
   * Moves `amount` from the viewer's wallet into the mission's escrow as a new pledge.
   * The debit is a conditional update: no interleaving can overdraw the wallet.
   */
  async function addPledge(
    tx: Executor,
    channel: Channel,
    mission: MissionRow,
    user: ChatUser,
    amountInput: AmountInput,
    actor: Actor,
    idempotencyKey: string | null,
  ) {
    const walletId = await ensureViewer(tx, channel, user, identitySource(actor));
    const amount = await resolveAmount(tx, walletId, amountInput);
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
      if (typeof amountInput !== 'number' && amount <= 0) {
        const wallet = await findWallet(tx, channel.id, user.userId);
        throw errors.insufficientFunds(wallet?.balance ?? 0, channel.settings.minStake);
      }
      throw errors.validation('amount must be a positive integer');
    }
    if (amount < channel.settings.minStake) throw errors.stakeTooLow(amount, channel.settings.minStake);
    if (channel.settings.maxPledge !== null && amount > channel.settings.maxPledge) {
      throw errors.pledgeTooHigh(amount, channel.settings.maxPledge);
    }
    const newBalance = await debitIfCovered(tx, walletId, amount);
    if (newBalance === null) {
      const wallet = await findWallet(tx, channel.id, user.userId);
      throw errors.insufficientFunds(wallet?.balance ?? 0, amount);
    }
    const firstPledge = !(await hasPledged(tx, mission.id, user.userId));
    const pledge = await insertPledge(tx, {
      channelId: channel.id,
      missionId: mission.id,
      userId: user.userId,
      amount,
      idempotencyKey,
    });
    const escrow = await escrowOf(tx, mission.id);
    await applyDeltas(tx, new Map([[escrow.id, amount]]));
    await insertJournal(tx, channel.id, [
      {
        from: walletId,
        to: escrow.id,
        amount,
        kind: 'pledge',
        missionId: mission.id,
        pledgeId: pledge.id,
        actor: actorLabel(actor),
        idempotencyKey,
      },
    ]);
    return { pledge, firstPledge, balance: newBalance };
  }

  async function propose(
    channel: Channel,
    input: ProposeInput,
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ mission: MissionDto; replayed: boolean }> {
    const text = cleanText(input.text);
    const s = channel.settings;
    const durationSeconds = input.durationSeconds ?? s.defaultDuration;
    if (!Number.isSafeInteger(durationSeconds) || durationSeconds < s.minDuration || durationSeconds > s.maxDuration) {
      throw errors.durationOutOfRange(durationSeconds * 1000, s.minDuration * 1000, s.maxDuration * 1000);
    }
    if (containsBlockedWord(text, s.blockedWords)) throw errors.blockedWords();
    const privileged = isModerator(actor);

    const { value, replayed } = await runWrite(db, idempotency, async (tx) => {
      const now = deps.now();
      // Serialises proposals per channel: mission numbers and the open-mission caps stay exact.
      await tx.execute(lockChannel(channel.id));
      if (channel.missionsPaused && !privileged) throw errors.missionsPaused();
      if (!privileged) {
        const last = await lastProposalAt(tx, channel.id, input.proposer.userId);
        const retryAfter = last ? last.getTime() + s.createCooldown * 1000 - now.getTime() : 0;
        if (retryAfter > 0) throw errors.cooldown(retryAfter);
        if ((await countActive(tx, channel.id, input.proposer.userId)) >= s.maxOpenMissionsPerViewer) {
          throw errors.tooManyOpenMissionsForViewer(s.maxOpenMissionsPerViewer);
        }
      }
      if ((await countActive(tx, channel.id)) >= s.maxOpenMissions) throw errors.tooManyOpenMissions(s.maxOpenMissions);

      // The proposer must exist before the mission row references them.
      await ensureViewer(tx, channel, input.proposer, identitySource(actor));
      const opensNow = !s.requireApproval || privileged;
      const number = await nextMissionNumber(tx, channel.id);
      const row = await insertMission(tx, {
        channelId: channel.id,
        number,
        text,
        status: opensNow ? 'open' : 'pending',
        proposerId: input.proposer.userId,
        durationMs: durationSeconds * 1000,
        createdAt: now,
        openedAt: opensNow ? now : null,
        deadline: opensNow ? new Date(now.getTime() + durationSeconds * 1000) : null,
      });
      await createEscrow(tx, channel.id, row.id);
      await addPledge(tx, channel, row, input.proposer, input.amount ?? s.minStake, actor, idempotency?.key ?? null);
      return { row, dto: await missionDto(tx, row, s) };
    });
    if (!replayed) {
      const { row, dto } = value;
      if (dto.status === 'open') await deps.scheduler.schedule('deadline', row.id, new Date(dto.deadline!));
      else await deps.scheduler.schedule('pending', row.id, new Date(dto.pendingExpiresAt!));
      publishSafely(deps, [
        { type: 'mission', change: dto.status === 'open' ? 'opened' : 'proposed', channel: channel.login, at: dto.createdAt, mission: dto },
      ]);
    }
    return { mission: value.dto, replayed };
  }

  /**
   * Adds a pledge through the micro-batcher: committed with others in one set-based transaction.
   * A repeat of `idempotency.key` replays the same pledge; the same key with another body is refused.
   * Refused with OVERLOADED when too many pledges wait for the database, or when the chat line
   * reached the bot `behindMs` later than fresh lines do and that is past the batcher's bound.
   */
  async function pledge(
    channel: Channel,
    input: { number: number; amount: AmountInput; user: ChatUser; behindMs?: number },
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ pledge: PledgeDto; mission: MissionDto; balance: number; replayed: boolean; firstPledge: boolean }> {
    const { number, amount, behindMs } = input;
    // The batcher records the names it is given; names a caller claimed must not rename anyone.
    const user = identitySource(actor) === 'twitch' ? input.user : await claimedIdentity(db, input.user);
    return batcher.submit({ channel, number, amount, user, actor, idempotencyKey: idempotency?.key ?? null, ...(behindMs === undefined ? {} : { behindMs }) });
  }

  /**
   * The per-pledge path: one transaction per pledge with the escrow hot-row update and a full
   * mission read. Kept as the naive baseline of `npm run bench`; not used by chat or the API.
   */
  async function pledgeDirect(
    channel: Channel,
    input: { number: number; amount: AmountInput; user: ChatUser },
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ pledge: PledgeDto; mission: MissionDto; balance: number; replayed: boolean }> {
    const { value, replayed } = await runWrite(db, idempotency, async (tx) => {
      if (idempotency) {
        const existing = await findPledgeByKey(tx, channel.id, idempotency.key);
        if (existing) throw errors.idempotencyConflict();
      }
      // A share lock: many pledges proceed together, but a verdict (FOR UPDATE) waits for them,
      // so no pledge can land in an escrow that is already being settled.
      const mission = await findMission(tx, channel.id, input.number, 'share');
      if (!mission) throw errors.missionNotFound(input.number);
      if (mission.status !== 'open') throw errors.missionNotOpen(input.number, mission.status);
      const result = await addPledge(tx, channel, mission, input.user, input.amount, actor, idempotency?.key ?? null);
      const dto = await missionDto(tx, mission, channel.settings);
      const users = await findUsers(tx, [input.user.userId]);
      return {
        pledge: toPledgeDto(result.pledge, mission.number, users.get(input.user.userId)),
        mission: dto,
        balance: result.balance,
        firstPledge: result.firstPledge,
      };
    });
    if (!replayed) {
      const event: PledgeAddedEvent = {
        type: 'pledge',
        channel: channel.login,
        at: value.pledge.createdAt,
        missionNumber: value.mission.number,
        count: 1,
        amount: value.pledge.amount,
        newBackers: value.firstPledge ? 1 : 0,
        pot: value.mission.pot,
        backers: value.mission.backers,
        newestBacker: value.pledge.viewer,
      };
      publishSafely(deps, [event]);
    }
    return { pledge: value.pledge, mission: value.mission, balance: value.balance, replayed };
  }

  async function get(channel: Channel, number: number): Promise<MissionDto> {
    const row = await findMission(db, channel.id, number);
    if (!row) throw errors.missionNotFound(number);
    return missionDto(db, row, channel.settings);
  }

  async function list(
    channel: Channel,
    query: { statuses?: MissionStatus[]; before?: number; limit: number },
  ): Promise<{ items: MissionDto[]; nextCursor: number | null }> {
    const rows = await listMissions(db, { channelId: channel.id, ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const items = await missionDtos(db, page, channel.settings);
    return { items, nextCursor: rows.length > query.limit ? page[page.length - 1]!.number : null };
  }

  /** Active missions (pending, open, closed), biggest pots first: the chat list and overlay board. */
  async function active(channel: Channel): Promise<MissionDto[]> {
    const rows = await listMissions(db, { channelId: channel.id, statuses: ['pending', 'open', 'closed'], limit: 100 });
    const items = await missionDtos(db, rows, channel.settings);
    return items.sort((a, b) => b.pot - a.pot || a.number - b.number);
  }

  async function pledges(
    channel: Channel,
    number: number,
    query: { after?: number; limit: number },
  ): Promise<{ items: PledgeDto[]; nextCursor: number | null }> {
    const mission = await findMission(db, channel.id, number);
    if (!mission) throw errors.missionNotFound(number);
    const rows = await listPledges(db, mission.id, query.after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => toPledgeDto(r.pledge, number, r.user)),
      nextCursor: rows.length > query.limit ? page[page.length - 1]!.pledge.id : null,
    };
  }

  async function stats(missionId: number) {
    return (await missionStats(db, [missionId])).get(missionId);
  }

  return {
    propose,
    pledge,
    pledgeDirect,
    get,
    list,
    active,
    pledges,
    stats,
    /** Pledges accepted and not yet committed. */
    pendingPledges: () => batcher.pending(),
    /** Commits every accepted pledge and refuses new ones (shutdown). */
    closePledges: () => batcher.close(),
  };
}

export type MissionService = ReturnType<typeof createMissionService>;
