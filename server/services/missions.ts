/** Proposals, pledges and mission reads. Verdicts live in verdicts.ts. */
import { sql } from 'drizzle-orm';
import { cleanChatText, codePointLength, MAX_TEXT_LENGTH } from '../domain/grammar/text.js';
import { identitySource, userActorLabel, isModerator, type Actor, type ChatUser } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { containsBlockedWord } from '../domain/settings.js';
import type { MissionDto, MissionStatus, PledgeDto } from '../domain/types.js';
import { findUserByLogin } from '../repositories/channels-repository.js';
import { userIdsForLogin } from '../repositories/people-repository.js';
import { createEscrow } from '../ledger/accounts.js';
import {
  countActive,
  findMission,
  insertMission,
  lastProposalAt,
  listMissions,
  listPledges,
  missionStats,
  nextMissionNumber,
} from '../repositories/missions-repository.js';
import type { Channel } from './channels.js';
import { recordActivity } from './activity.js';
import { publishSafely, type ServiceDeps } from './context.js';
import { missionDto, missionDtos, toPledgeDto } from './mission-views.js';
import { runWrite, type IdempotencyRequest } from './transaction.js';
import { claimedIdentity, ensureViewer } from './viewers.js';
import { writeSinglePledge } from './single-pledge.js';
import { createPledgeBatcher, type AmountInput, type PledgeBatcherOptions } from './pledge-batcher.js';

const lockChannel = (channelId: number) => sql`SELECT 1 FROM channels WHERE id = ${channelId} FOR UPDATE`;
export { MAX_AMOUNT, type AmountInput } from './pledge-batcher.js';

/** The optional filters of the missions history. Logins are matched through their current holder. */
export interface MissionListFilter {
  statuses?: MissionStatus[];
  proposer?: string;
  judge?: string;
  since?: Date;
  until?: Date;
}

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

export function createMissionService(deps: ServiceDeps, batcherOptions?: PledgeBatcherOptions) {
  const { db } = deps;
  // Every pledge (chat and REST) goes through one micro-batcher per process.
  const batcher = createPledgeBatcher(deps, batcherOptions);

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
      await writeSinglePledge(tx, channel, row, input.proposer, input.amount ?? s.minStake, actor, idempotency?.key ?? null);
      const dto = await missionDto(tx, row, s);
      await recordActivity(tx, actor, {
        channelId: channel.id,
        action: 'mission.proposed',
        missionNumber: number,
        subject: input.proposer,
        amount: dto.pot,
        details: { status: dto.status },
      });
      return { row, dto };
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
   * Refused with OVERLOADED when too many pledges wait for the database.
   */
  async function pledge(
    channel: Channel,
    input: { number: number; amount: AmountInput; user: ChatUser },
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ pledge: PledgeDto; mission: MissionDto; balance: number; replayed: boolean; firstPledge: boolean }> {
    const { number, amount } = input;
    // The batcher records the names it is given; names a caller claimed must not rename anyone.
    const user = identitySource(actor) === 'twitch' ? input.user : await claimedIdentity(db, input.user);
    return batcher.submit({ channel, number, amount, user, actor, idempotencyKey: idempotency?.key ?? null });
  }

  async function get(channel: Channel, number: number): Promise<MissionDto> {
    const row = await findMission(db, channel.id, number);
    if (!row) throw errors.missionNotFound(number);
    return missionDto(db, row, channel.settings);
  }

  /** The proposer a login filter matches: the login's current holder, or none (an empty list matches nothing). */
  async function proposerIdsOf(channel: Channel, login: string | undefined): Promise<string[] | undefined> {
    if (login === undefined) return undefined;
    const user = await findUserByLogin(db, login, channel.id, true);
    return user ? [user.userId] : [];
  }

  async function list(
    channel: Channel,
    query: MissionListFilter & { before?: number; limit: number },
  ): Promise<{ items: MissionDto[]; nextCursor: number | null }> {
    const { proposer, judge, ...rest } = query;
    const proposerIds = await proposerIdsOf(channel, proposer);
    // A chat user judges as `user:<id>`, from chat and from a dashboard session alike; a moderator
    // who never pledged has no `users` row, so every table that knows the login is asked.
    const resolvedBy = judge === undefined ? undefined : (await userIdsForLogin(db, channel.id, judge)).map(userActorLabel);
    const rows = await listMissions(db, { channelId: channel.id, ...rest, proposerIds, resolvedBy, limit: query.limit + 1 });
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
