/**
 * Database schema. The ledger's rules live here as constraints, not only in code:
 * non-negative wallets/escrows/treasuries, positive transfer amounts, one settlement per pledge,
 * unique idempotency keys and unique mission numbers per channel.
 */
import { sql } from 'drizzle-orm';
import { MISSION_STATUSES } from '../server/domain/mission-status.js';
import {
  bigint,
  bigserial,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const amount = (name: string) => bigint(name, { mode: 'number' });

export const accountKind = pgEnum('account_kind', ['wallet', 'escrow', 'treasury', 'mint']);
export const missionStatus = pgEnum('mission_status', MISSION_STATUSES);
export const transferKind = pgEnum('transfer_kind', [
  'starting_balance',
  'grant',
  'take',
  'accrual',
  'redemption',
  'pledge',
  'refund',
  'payout',
  'import',
]);
export const settlementKind = pgEnum('settlement_kind', ['refunded', 'paid']);
export const tokenRole = pgEnum('token_role', ['moderator', 'owner', 'bot']);

export const channels = pgTable('channels', {
  id: serial('id').primaryKey(),
  login: text('login').notNull().unique(),
  broadcasterId: text('broadcaster_id'),
  displayName: text('display_name'),
  settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
  overlayKey: text('overlay_key').notNull(),
  missionsPaused: boolean('missions_paused').notNull().default(false),
  nextMissionNumber: integer('next_mission_number').notNull().default(1),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/**
 * Twitch users, keyed on the immutable user id; login and display name follow renames. The viewer
 * search's expression indexes on both names (lower-cased, "C" collation) are in migration 0018.
 */
export const users = pgTable('users', {
  userId: text('user_id').primaryKey(),
  login: text('login').notNull(),
  displayName: text('display_name').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [
  index('users_login_idx').on(t.login),
  // Viewer search by prefix (migration 0018): lower case in "C" order, then the id for paging.
  index('users_login_search_idx').on(sql`(lower(${t.login}) COLLATE "C")`, sql`(${t.userId} COLLATE "C")`),
  index('users_display_name_search_idx')
    .on(sql`(lower(${t.displayName}) COLLATE "C")`, sql`(${t.userId} COLLATE "C")`)
    .where(sql`lower(${t.displayName}) <> lower(${t.login})`),
]);

/** Storage: fillfactor 50 (migration 0003), so balance updates stay on their page (HOT). */
export const accounts = pgTable('accounts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  channelId: integer('channel_id').notNull().references(() => channels.id),
  kind: accountKind('kind').notNull(),
  userId: text('user_id').references(() => users.userId),
  missionId: bigint('mission_id', { mode: 'number' }),
  balance: amount('balance').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [
  check('accounts_non_negative', sql`${t.kind} = 'mint' OR ${t.balance} >= 0`),
  // Far below 2^53 (server/domain/bounds.ts); migration 0010 adds it NOT VALID.
  check('accounts_balance_bounded', sql`${t.balance} BETWEEN -1000000000000000 AND 1000000000000000
    AND (${t.kind} <> 'wallet' OR ${t.balance} <= 1000000000000)`),
  check('accounts_owner_shape', sql`(${t.kind} = 'wallet') = (${t.userId} IS NOT NULL)
    AND (${t.kind} = 'escrow') = (${t.missionId} IS NOT NULL)`),
  uniqueIndex('accounts_wallet_uq').on(t.channelId, t.userId).where(sql`${t.kind} = 'wallet'`),
  uniqueIndex('accounts_escrow_uq').on(t.missionId).where(sql`${t.kind} = 'escrow'`),
  uniqueIndex('accounts_system_uq').on(t.channelId, t.kind).where(sql`${t.kind} IN ('treasury', 'mint')`),
  // Probed by the journal's reference check: a transfer can only name its own channel's accounts.
  uniqueIndex('accounts_channel_id_uq').on(t.channelId, t.id),
]);

export const missions = pgTable('missions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  channelId: integer('channel_id').notNull().references(() => channels.id),
  number: integer('number').notNull(),
  text: text('text').notNull(),
  status: missionStatus('status').notNull(),
  proposerId: text('proposer_id').notNull().references(() => users.userId),
  durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  openedAt: ts('opened_at'),
  deadline: ts('deadline'),
  closedAt: ts('closed_at'),
  resolvedAt: ts('resolved_at'),
  resolvedBy: text('resolved_by'),
  settled: boolean('settled').notNull().default(false),
  settledAt: ts('settled_at'),
  reason: text('reason'),
}, (t) => [
  uniqueIndex('missions_channel_number_uq').on(t.channelId, t.number),
  // Probed by the reference checks of pledges and transfers (one probe: row and channel).
  uniqueIndex('missions_channel_id_uq').on(t.channelId, t.id),
  index('missions_channel_status_idx').on(t.channelId, t.status),
  index('missions_unsettled_idx').on(t.id).where(sql`NOT ${t.settled}`),
  check('missions_text_length', sql`char_length(${t.text}) BETWEEN 1 AND 200`),
]);

/**
 * The references of pledges and of the journal (mission in the channel, user, accounts in the
 * channel, pledge) are checked once per statement by triggers (migration 0008), not by foreign
 * keys: a foreign key runs one query per row and was a third of Postgres's CPU in a pledge storm.
 * The rows they name are never deleted and their keys never change (triggers too).
 */
export const pledges = pgTable('pledges', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  // (channel_id, mission_id) names a mission of this channel; user_id a user (trigger pledges_references).
  channelId: integer('channel_id').notNull(),
  missionId: bigint('mission_id', { mode: 'number' }).notNull(),
  userId: text('user_id').notNull(),
  amount: amount('amount').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  idempotencyKey: text('idempotency_key'),
  // Once set, the row never changes again (trigger pledges_settled_final, migration 0006).
  settlement: settlementKind('settlement'),
  settledAt: ts('settled_at'),
}, (t) => [
  check('pledges_amount_positive', sql`${t.amount} > 0`),
  check('pledges_amount_bounded', sql`${t.amount} <= 1000000000000`),
  check('pledges_settlement_shape', sql`(${t.settlement} IS NULL) = (${t.settledAt} IS NULL)`),
  uniqueIndex('pledges_idempotency_uq').on(t.channelId, t.idempotencyKey),
  // No index may cover `settlement` (not even in a predicate): settling a pledge must stay a
  // heap-only update. Storage: fillfactor 45 (migration 0003), room for that one update per row.
  index('pledges_mission_idx').on(t.missionId, t.id),
  // Channel, viewer and mission: the pledge batch's "backed this mission before?" probe is then one
  // index scan on all three, which no planner estimate can turn into a BitmapAnd with
  // pledges_mission_idx (that reads the whole mission per probe).
  index('pledges_user_idx').on(t.channelId, t.userId, t.missionId),
]);

/** The append-only journal: every balance change is exactly one row. */
export const transfers = pgTable('transfers', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  // Both accounts, and the mission if any, belong to this channel (trigger transfers_references).
  channelId: integer('channel_id').notNull(),
  fromAccount: bigint('from_account', { mode: 'number' }).notNull(),
  toAccount: bigint('to_account', { mode: 'number' }).notNull(),
  amount: amount('amount').notNull(),
  kind: transferKind('kind').notNull(),
  missionId: bigint('mission_id', { mode: 'number' }),
  pledgeId: bigint('pledge_id', { mode: 'number' }),
  actor: text('actor'),
  idempotencyKey: text('idempotency_key'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [
  check('transfers_amount_positive', sql`${t.amount} > 0`),
  check('transfers_amount_bounded', sql`${t.amount} <= 1000000000000000`),
  check('transfers_distinct_accounts', sql`${t.fromAccount} <> ${t.toAccount}`),
  // Invariant 5: a pledge is refunded at most once. A payout row covers a whole batch (no
  // pledge_id); paid pledges are guarded by their own row (migration 0006: a settled pledge
  // cannot be updated), which guards refunded ones too.
  uniqueIndex('transfers_one_settlement_per_pledge').on(t.pledgeId).where(sql`${t.kind} IN ('refund', 'payout')`),
  // Only keyed rows (accrual credits, grants, payouts...): a pledge's or refund's journal row has
  // no key of its own and skips this index (migration 0007).
  uniqueIndex('transfers_idempotency_uq').on(t.channelId, t.kind, t.idempotencyKey).where(sql`${t.idempotencyKey} IS NOT NULL`),
  index('transfers_channel_idx').on(t.channelId, t.id),
  index('transfers_from_idx').on(t.fromAccount),
  index('transfers_to_idx').on(t.toAccount),
]);

/** Stored results of idempotent API writes (replayed for the same key and body). */
export const idempotencyKeys = pgTable('idempotency_keys', {
  scope: text('scope').notNull(),
  key: text('key').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: smallint('status_code').notNull(),
  response: jsonb('response').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.scope, t.key] })]);

/** Dashboard and bot tokens; only a SHA-256 hash of the secret is stored. */
export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  channelId: integer('channel_id').references(() => channels.id),
  role: tokenRole('role').notNull(),
  label: text('label'),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: ts('created_at').notNull().defaultNow(),
  revokedAt: ts('revoked_at'),
}, (t) => [
  check('api_tokens_scope', sql`(${t.role} = 'bot') OR (${t.channelId} IS NOT NULL)`),
]);

/**
 * Twitch user tokens from the login flow, one per Twitch user and role. The token itself (access
 * and refresh token) is one AES-256-GCM blob keyed by TOKEN_ENCRYPTION_KEY; scopes are not secret.
 */
export const twitchTokens = pgTable('twitch_tokens', {
  userId: text('user_id').notNull(),
  role: text('role').notNull(),
  login: text('login').notNull(),
  scopes: text('scopes').array().notNull(),
  tokenEnc: text('token_enc').notNull(),
  /** 'valid', or 'invalid' once a refresh failed (the streamer must log in again). */
  status: text('status').notNull().default('valid'),
  error: text('error'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.userId, t.role] }),
  check('twitch_tokens_role', sql`${t.role} IN ('bot', 'broadcaster')`),
  check('twitch_tokens_status', sql`${t.status} IN ('valid', 'invalid')`),
]);

/** OAuth `state` values: single use (deleted when consumed) and short-lived (CSRF). */
export const oauthStates = pgTable('oauth_states', {
  state: text('state').primaryKey(),
  role: text('role').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

/** One watch-time credit per viewer per interval: the database makes accrual idempotent. */
export const accrualCredits = pgTable('accrual_credits', {
  channelId: integer('channel_id').notNull().references(() => channels.id),
  userId: text('user_id').notNull().references(() => users.userId),
  intervalStart: ts('interval_start').notNull(),
  amount: amount('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.channelId, t.userId, t.intervalStart] })]);

/** Last chat message per viewer and channel: the chat bonus and the no-token fallback. */
export const chatActivity = pgTable('chat_activity', {
  channelId: integer('channel_id').notNull().references(() => channels.id),
  userId: text('user_id').notNull().references(() => users.userId),
  lastChatAt: ts('last_chat_at').notNull(),
}, (t) => [
  primaryKey({ columns: [t.channelId, t.userId] }),
  index('chat_activity_recent_idx').on(t.channelId, t.lastChatAt),
]);

/** The "Mission points" custom reward of each channel and what one redemption is worth. */
export const twitchRewards = pgTable('twitch_rewards', {
  channelId: integer('channel_id').primaryKey().references(() => channels.id),
  rewardId: text('reward_id').notNull(),
  cost: integer('cost').notNull(),
  points: integer('points').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * The last outcome of Twitch set-up steps that otherwise only reach a log (`reward:<channel id>`,
 * `chat`), for the set-up checklist in any process.
 */
export const twitchSetupStatus = pgTable('twitch_setup_status', {
  key: text('key').primaryKey(),
  channelId: integer('channel_id').references(() => channels.id, { onDelete: 'cascade' }),
  ok: boolean('ok').notNull(),
  detail: text('detail'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Channel-point redemptions seen; the primary key makes each one credit at most once. */
export const redemptions = pgTable('redemptions', {
  redemptionId: text('redemption_id').primaryKey(),
  channelId: integer('channel_id').notNull().references(() => channels.id),
  userId: text('user_id').notNull(),
  rewardId: text('reward_id').notNull(),
  points: integer('points').notNull(),
  /** credited (wallet credited, Twitch not yet told), fulfilled, or canceled (points refunded by Twitch). */
  status: text('status').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [check('redemptions_status', sql`${t.status} IN ('credited', 'fulfilled', 'canceled')`)]);

/** A channel's moderators as last synced from Helix (identity is the user id). */
export const channelModerators = pgTable('channel_moderators', {
  channelId: integer('channel_id').notNull().references(() => channels.id),
  userId: text('user_id').notNull(),
  login: text('login').notNull(),
  displayName: text('display_name').notNull(),
  syncedAt: ts('synced_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.channelId, t.userId] })]);

/** Imported balances of viewers known only by login, credited once their user id is known (migration 0015). */
export const pointImportsPending = pgTable('point_imports_pending', {
  channelId: integer('channel_id').notNull(),
  fileSha256: text('file_sha256').notNull(),
  login: text('login').notNull(),
  points: amount('points').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  userId: text('user_id'),
  creditedAt: ts('credited_at'),
}, (t) => [
  primaryKey({ name: 'point_imports_pending_pk', columns: [t.channelId, t.fileSha256, t.login] }),
  // Named as Postgres named it: migration 0015 declares the reference inline.
  foreignKey({ name: 'point_imports_pending_channel_id_fkey', columns: [t.channelId], foreignColumns: [channels.id] }),
  check('point_imports_pending_points_positive', sql`${t.points} > 0`),
  check('point_imports_pending_credited_shape', sql`(${t.creditedAt} IS NULL) = (${t.userId} IS NULL)`),
  index('point_imports_pending_open_idx').on(t.channelId, t.login).where(sql`${t.creditedAt} IS NULL`),
]);

/**
 * Dashboard sessions: the cookie holds a random secret, only its SHA-256 is stored. `admin`
 * sessions come from a sign-in link; `twitch` sessions from the Twitch login, whose roles per
 * channel are read at each request (broadcaster of the channel, or in its synced moderators), so
 * an unmod takes effect at the next moderator sync. `viewer` sessions come from the Twitch login
 * of a public board and never carry a channel role. `csrf_secret` backs the CSRF tokens.
 */
export const dashboardSessions = pgTable('dashboard_sessions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  kind: text('kind').notNull(),
  userId: text('user_id'),
  login: text('login'),
  displayName: text('display_name'),
  csrfSecret: text('csrf_secret').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  revokedAt: ts('revoked_at'),
}, (t) => [
  check('dashboard_sessions_kind', sql`${t.kind} IN ('admin', 'twitch', 'viewer')`),
  check('dashboard_sessions_twitch_user', sql`(${t.kind} IN ('twitch', 'viewer')) = (${t.userId} IS NOT NULL AND ${t.login} IS NOT NULL)`),
  index('dashboard_sessions_user_idx').on(t.userId).where(sql`${t.revokedAt} IS NULL`),
]);

/** Single-use sign-in links (15 minutes); only a SHA-256 of the code is stored. */
export const loginLinks = pgTable('login_links', {
  codeHash: text('code_hash').primaryKey(),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  sessionId: bigint('session_id', { mode: 'number' }),
}, (t) => [
  // Named as Postgres named it: migration 0011 declares the reference inline.
  foreignKey({ name: 'login_links_session_id_fkey', columns: [t.sessionId], foreignColumns: [dashboardSessions.id] }),
]);

/**
 * The audit trail (migration 0016): one row per recorded action, written in the transaction of
 * the action itself. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE. `channel_id` is
 * null only for entries of the whole instance (the admin signing in, an unbound bot token).
 * `action` and `source` take the values of `server/domain/activity.ts`.
 */
export const activity = pgTable('activity', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  channelId: integer('channel_id'),
  at: ts('at').notNull().defaultNow(),
  action: text('action').notNull(),
  source: text('source').notNull(),
  actorKind: text('actor_kind').notNull(),
  actorUserId: text('actor_user_id'),
  actorLogin: text('actor_login'),
  actorDisplayName: text('actor_display_name'),
  actorTokenId: integer('actor_token_id'),
  missionNumber: integer('mission_number'),
  subjectUserId: text('subject_user_id'),
  subjectLogin: text('subject_login'),
  subjectDisplayName: text('subject_display_name'),
  amount: amount('amount'),
  reason: text('reason'),
  details: jsonb('details'),
}, (t) => [
  check('activity_source_known', sql`${t.source} IN ('chat', 'dashboard', 'api', 'worker', 'cli')`),
  check('activity_actor_kind_known', sql`${t.actorKind} IN ('user', 'admin', 'token', 'system')`),
  check('activity_action_shape', sql`${t.action} ~ '^[a-z]+\\.[a-z_]+$'`),
  check('activity_reason_length', sql`char_length(${t.reason}) <= 500`),
  foreignKey({ name: 'activity_channel_id_fkey', columns: [t.channelId], foreignColumns: [channels.id] }),
  index('activity_channel_idx').on(t.channelId, t.id.desc()),
  index('activity_channel_action_idx').on(t.channelId, t.action, t.id.desc()),
  index('activity_channel_actor_idx').on(t.channelId, t.actorLogin, t.id.desc()).where(sql`${t.actorLogin} IS NOT NULL`),
  index('activity_channel_mission_idx').on(t.channelId, t.missionNumber, t.id.desc()).where(sql`${t.missionNumber} IS NOT NULL`),
  index('activity_channel_at_idx').on(t.channelId, t.at),
]);

export type ChannelRow = typeof channels.$inferSelect;
export type MissionRow = typeof missions.$inferSelect;
export type PledgeRow = typeof pledges.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type TransferRow = typeof transfers.$inferSelect;
export type ActivityRow = typeof activity.$inferSelect;
export type TransferKind = (typeof transferKind.enumValues)[number];
