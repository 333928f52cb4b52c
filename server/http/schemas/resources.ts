/** Response schemas of the API resources. Clients may rely on these fields; more may be added, none removed or renamed. */
import { Type } from '@sinclair/typebox';
import { Nullable, PlainText, Timestamp } from './common.js';
import { TWITCH_LOGIN_ANY_CASE_PATTERN } from '../../domain/twitch-login.js';

export { ActorRef, Mission, Pledge, Viewer, ViewerRef } from '../../domain/types.js';

const seconds = (description: string, minimum = 1) => Type.Integer({ minimum, maximum: 7 * 86_400, description });

/** Every setting, all optional: the PATCH body (unknown keys refused). */
export const SettingsPatch = Type.Object(
  {
    locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('ko')])),
    currencyName: Type.Optional(PlainText({ minLength: 1, maxLength: 20 })),
    startingBalance: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    minStake: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    maxPledge: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }))),
    maxOpenMissions: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    maxOpenMissionsPerViewer: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    requireApproval: Type.Optional(Type.Boolean()),
    pendingTimeout: Type.Optional(seconds('Seconds a proposal waits for approval')),
    defaultDuration: Type.Optional(seconds('Default time limit, seconds')),
    minDuration: Type.Optional(seconds('Shortest time limit, seconds')),
    maxDuration: Type.Optional(seconds('Longest time limit, seconds')),
    verdictGrace: Type.Optional(seconds('Seconds after the deadline a verdict is still accepted', 0)),
    createCooldown: Type.Optional(seconds('Seconds between proposals of one viewer', 0)),
    blockedWords: Type.Optional(Type.Array(PlainText({ minLength: 1, maxLength: 50 }), { maxItems: 500 })),
    resolverMustNotHavePledged: Type.Optional(Type.Boolean()),
    publicBoardLink: Type.Optional(Type.Boolean({ description: '!missions ends with the link to the public board' })),
    accrual: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          chatBonus: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          intervalSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400 })),
          excludedLogins: Type.Optional(Type.Array(Type.String({ pattern: TWITCH_LOGIN_ANY_CASE_PATTERN }), { maxItems: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1, title: 'SettingsPatch' },
);

export const Settings = Type.Object(
  {
    locale: Type.String(),
    currencyName: Type.String(),
    startingBalance: Type.Integer(),
    minStake: Type.Integer(),
    maxPledge: Nullable(Type.Integer()),
    maxOpenMissions: Type.Integer(),
    maxOpenMissionsPerViewer: Type.Integer(),
    requireApproval: Type.Boolean(),
    pendingTimeout: Type.Integer(),
    defaultDuration: Type.Integer(),
    minDuration: Type.Integer(),
    maxDuration: Type.Integer(),
    verdictGrace: Type.Integer(),
    createCooldown: Type.Integer(),
    blockedWords: Type.Array(Type.String()),
    resolverMustNotHavePledged: Type.Boolean(),
    publicBoardLink: Type.Boolean(),
    accrual: Type.Object({
      enabled: Type.Boolean(),
      amount: Type.Integer(),
      chatBonus: Type.Integer(),
      intervalSeconds: Type.Integer(),
      excludedLogins: Type.Array(Type.String()),
    }),
  },
  { title: 'Settings' },
);

export const Channel = Type.Object(
  {
    login: Type.String(),
    broadcasterId: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
    missionsPaused: Type.Boolean(),
    settings: Settings,
    totals: Type.Object({
      circulating: Type.Integer(),
      escrow: Type.Integer(),
      treasury: Type.Integer(),
      minted: Type.Integer(),
    }),
    overlayKey: Type.Optional(Type.String()),
    overlayUrl: Type.Optional(Type.String()),
  },
  { title: 'Channel' },
);

export const LedgerRow = Type.Object(
  {
    id: Type.Integer(),
    from: Type.Object({ account: Type.Integer(), kind: Type.String(), userId: Nullable(Type.String()), missionNumber: Nullable(Type.Integer()) }),
    to: Type.Object({ account: Type.Integer(), kind: Type.String(), userId: Nullable(Type.String()), missionNumber: Nullable(Type.Integer()) }),
    amount: Type.Integer(),
    kind: Type.String(),
    missionNumber: Nullable(Type.Integer()),
    pledgeId: Nullable(Type.Integer()),
    actor: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { title: 'LedgerRow' },
);

/** Amount in a write: points, or relative to the balance ("all", "half", "25%"). */
export const AmountOrShare = Type.Union([
  Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }),
  Type.String({ pattern: '^(all|half|([1-9]|[1-9][0-9]|100)%)$', description: '"all", "half" or a percentage like "25%"' }),
]);

/** A duration in a write: whole seconds, or text like "90s", "10m", "1h30m". */
export const DurationInput = Type.Union([
  Type.Integer({ minimum: 1, maximum: 7 * 86_400 }),
  Type.String({ pattern: '^(\\d{1,6}[dhms]){1,4}$', maxLength: 24 }),
]);
