/**
 * Reads of the dashboard's viewer pages: the search over a channel's viewers (with its opaque
 * cursor), one viewer's pledges with their missions, and the wallet a ledger filter names.
 */
import type { Executor } from '../../db/client.js';
import { errors } from '../domain/errors.js';
import type { MissionStatus, Settlement, ViewerDto } from '../domain/types.js';
import { findUserByLogin } from '../repositories/channels-repository.js';
import { findWallet } from '../ledger/accounts.js';
import {
  escrowByUser,
  listViewerPledges,
  searchChannelViewers,
  type SearchPosition,
} from '../repositories/viewer-reads-repository.js';
import type { Channel } from './channels.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const PHASES = { l: 'login', n: 'name' } as const;

/** A search position as URL-safe text: base64url of `[phase, key, userId]`. */
export function encodeSearchCursor(position: SearchPosition): string {
  const phase = position.phase === 'login' ? 'l' : 'n';
  return Buffer.from(JSON.stringify([phase, position.key, position.userId]), 'utf8').toString('base64url');
}

/** The position a cursor names; anything else (edited, truncated, another route's) is a 400. */
export function decodeSearchCursor(cursor: string): SearchPosition {
  const invalid = () => errors.validation('cursor is not valid');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 3) throw invalid();
  const [phase, key, userId] = value as unknown[];
  if ((phase !== 'l' && phase !== 'n') || typeof key !== 'string' || typeof userId !== 'string') throw invalid();
  if (key.length > 200 || userId.length === 0 || userId.length > 64) throw invalid();
  return { phase: PHASES[phase], key, userId };
}

/**
 * Viewers of the channel whose login or display name starts with `q` (case-insensitive, Korean
 * names included; Unicode-normalised so a decomposed Hangul query matches the stored names).
 * Login matches come first, then viewers matched by display name only.
 */
export async function searchViewers(
  db: Executor,
  channel: Channel,
  query: { q: string; cursor?: string; limit: number },
): Promise<Page<ViewerDto>> {
  const after = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor);
  const rows = await searchChannelViewers(db, channel.id, { prefix: query.q.normalize('NFC'), after, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const escrow = await escrowByUser(db, channel.id, page.map((r) => r.userId));
  return {
    items: page.map((r) => ({ userId: r.userId, login: r.login, displayName: r.displayName, balance: r.balance, inEscrow: escrow.get(r.userId) ?? 0 })),
    nextCursor: rows.length > query.limit ? encodeSearchCursor(page[page.length - 1]!.position) : null,
  };
}

export interface ViewerPledge {
  id: number;
  missionNumber: number;
  viewer: { userId: string; login: string; displayName: string };
  amount: number;
  createdAt: string;
  settlement: Settlement;
  mission: { number: number; text: string; status: MissionStatus; settled: boolean };
}

/** The user behind a login of this channel (one with a wallet here), or VIEWER_NOT_FOUND. */
async function channelViewer(db: Executor, channel: Channel, login: string) {
  const user = await findUserByLogin(db, login, channel.id);
  if (!user) throw errors.viewerNotFound(login);
  return user;
}

/** One viewer's pledges in the channel, newest first, each with its mission and settlement. */
export async function viewerPledges(
  db: Executor,
  channel: Channel,
  login: string,
  query: { before?: number; limit: number },
): Promise<{ items: ViewerPledge[]; nextCursor: number | null }> {
  const user = await channelViewer(db, channel, login);
  const rows = await listViewerPledges(db, channel.id, user.userId, { before: query.before, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      missionNumber: r.mission.number,
      viewer: { userId: user.userId, login: user.login, displayName: user.displayName },
      amount: r.amount,
      createdAt: r.createdAt.toISOString(),
      settlement: r.settlement,
      mission: { ...r.mission, status: r.mission.status as MissionStatus },
    })),
    nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}

/** The wallet account of a viewer of this channel, for the journal's viewer filter. */
export async function viewerWalletId(db: Executor, channel: Channel, login: string): Promise<number> {
  const user = await channelViewer(db, channel, login);
  const wallet = await findWallet(db, channel.id, user.userId);
  if (!wallet) throw errors.viewerNotFound(login);
  return Number(wallet.id);
}
