// Lint: typescript-eslint's recommended rules on the TypeScript sources (the dashboard's .tsx too); the overlay's plain JS with browser globals.
// Layers point down: each folder below lists the imports it may not make (CONTRIBUTING.md, "Layers point down").
import tseslint from 'typescript-eslint';

/** Import specifiers that reach into one of these folders, however many `../` lead there. */
const into = (...folders) => folders.map((folder) => `**/${folder}/**`);

// The groups of folders, lowest first. Patterns match the import specifier, so `**/services/**`
// catches `../services/x.js` from server/ and `../server/services/x.js` from bot/ alike.
const PORTS = into('ports');
const STORAGE = [...into('db'), ...into('repositories'), ...into('ledger')];
const EVENTS = into('events');
const SERVICES = into('services', 'backup', 'import', 'monitoring');
const TWITCH = into('twitch');
const HTTP_TRANSPORT = into('http', 'overlay', 'board', 'setup');
const OTHER_TRANSPORT = [...into('jobs', 'cli', 'bot'), ...into('startup')];
const CONFIG = ['**/config.js'];
const WIRING = ['**/runtime.js', '**/processes.js', '**/main.js'];

const DB_LOWEST = 'db/ is the lowest layer: callers pass configuration values in; db/ never imports server/ (but the mission-status list) or bot/.';
const SHARED_GRAMMAR = 'The shared chat grammar lives in server/domain/grammar/; server code never imports bot/.';

/** One restriction: the folders it forbids, why, and whether `import type` of them is still allowed. */
const forbid = (group, message, allowTypeImports = false) => ({ group, message, allowTypeImports });

/** A per-folder block of the layer rule. */
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

const above = (what) => `${what} sits above this layer: layers point down.`;

// The pure core: nothing but itself (ports and bot/parse may read the domain's types and grammar).
const pureCore = [
  forbid([...STORAGE, ...PORTS, ...EVENTS, ...SERVICES, ...TWITCH, ...HTTP_TRANSPORT, ...OTHER_TRANSPORT, ...CONFIG, ...WIRING],
    'The pure core (server/domain/, server/ports/, bot/parse/) imports only server/domain/: no I/O, no configuration, no layer above.'),
];
// Transport may use lower layers' types, but reads and writes through the services.
const throughServices = [
  forbid(into('repositories', 'ledger'), 'Transport calls a service; only services and the Twitch edge use repositories and the ledger (type imports are fine).', true),
  forbid(into('db'), 'Transport does not touch the database; call a service (type imports are fine).', true),
  forbid(EVENTS, 'Transport sees the event bus through its types; the services publish (type imports are fine).', true),
  forbid(CONFIG, 'Configuration is parsed once by the entry points and passed in (type imports are fine).', true),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dashboard/dist/', '.data/', 'scratch/', 'test-artifacts/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // Layer boundaries. The blocks do not overlap: each file gets exactly one list.
  layer(['server/domain/**/*.ts', 'server/ports/**/*.ts'], pureCore),
  layer(['bot/parse/**/*.ts'], [
    ...pureCore,
    forbid([...into('commands', 'output', 'i18n'), '../*.js'], 'bot/parse/ is pure grammar: it does not import the rest of the bot.'),
  ]),
  // The one exception is the mission-status list, which the enum and the domain share and which imports nothing.
  layer(['db/**/*.ts'], [
    { regex: '(^|/)server/(?!domain/mission-status\\.js$)', message: DB_LOWEST, allowTypeImports: false },
    forbid(into('bot'), DB_LOWEST),
  ]),
  // The ledger sits beside the repositories: it is the SQL of accounts and transfers.
  layer(['server/repositories/**/*.ts', 'server/ledger/**/*.ts'], [
    forbid([...EVENTS, ...SERVICES, ...TWITCH, ...HTTP_TRANSPORT, ...OTHER_TRANSPORT, ...CONFIG, ...WIRING], above('Everything but db/, the domain and the ports')),
  ]),
  layer(['server/events/**/*.ts'], [
    forbid([...into('repositories', 'ledger'), ...SERVICES, ...TWITCH, ...HTTP_TRANSPORT, ...OTHER_TRANSPORT, ...CONFIG, ...WIRING], above('Everything but db/, the domain and the ports')),
  ]),
  layer(['server/services/**/*.ts', 'server/backup/**/*.ts', 'server/import/**/*.ts', 'server/monitoring/**/*.ts'], [
    forbid([...TWITCH, ...HTTP_TRANSPORT, ...into('jobs', 'cli', 'startup'), ...WIRING], above('Transport (http, overlay, board, setup, jobs, cli, bot), the Twitch edge and the wiring')),
    forbid(CONFIG, 'Services get their settings passed in; configuration is parsed once by the entry points.'),
    forbid(into('bot'), SHARED_GRAMMAR),
  ]),
  layer(['server/twitch/**/*.ts'], [
    forbid([...HTTP_TRANSPORT, ...into('cli', 'bot', 'startup'), ...WIRING], above('Transport and the wiring')),
    forbid(CONFIG, 'Configuration is parsed once by the entry points and passed in (type imports are fine).', true),
  ], ['server/twitch/wiring.ts']),
  layer(['server/http/**/*.ts', 'server/overlay/**/*.ts', 'server/board/**/*.ts', 'server/setup/**/*.ts'], [
    ...throughServices,
    forbid([...OTHER_TRANSPORT, ...WIRING], 'HTTP transport does not import the other transports or the wiring; shared code belongs in a lower layer.'),
  ], ['server/http/mission-app.ts', 'server/overlay/mount.ts']),
  layer(['server/jobs/**/*.ts'], [
    ...throughServices,
    forbid([...TWITCH, ...HTTP_TRANSPORT, ...into('cli', 'bot', 'startup'), ...WIRING], 'Job processors call services; they do not import other transports or the wiring.'),
  ]),
  layer(['server/cli/**/*.ts'], [
    forbid(into('repositories', 'ledger'), 'Command-line tools call a service; only services and the Twitch edge use repositories and the ledger (type imports are fine).', true),
    forbid(EVENTS, 'Command-line tools see the event bus through its types (type imports are fine).', true),
    forbid([...HTTP_TRANSPORT, ...into('jobs', 'bot', 'startup'), ...WIRING], 'Command-line tools do not import other transports or the wiring.'),
  ]),
  layer(['bot/**/*.ts'], [
    ...throughServices,
    forbid([...TWITCH, ...into('backup', 'import', 'monitoring'), ...HTTP_TRANSPORT, ...into('jobs', 'cli', 'startup'), ...WIRING],
      'The bot calls the services (through the Services object), reads the domain and the ports, and nothing else of the server.'),
  ], ['bot/parse/**', 'bot/index.ts']),

  // Start-up messages and the top-level helpers the entry points share: never the bot, never the wiring.
  layer(['server/startup/**/*.ts', 'server/config.ts', 'server/app-version.ts', 'server/sign-in-link.ts'], [
    forbid(into('bot'), 'Server code never imports bot/; shared code belongs in a lower layer.'),
    forbid(WIRING, above('The wiring')),
  ]),

  // The role mount points: they receive the Runtime, so they may name its type, and nothing more of the wiring.
  layer(['server/http/mission-app.ts', 'server/overlay/mount.ts'], [
    ...throughServices,
    forbid(OTHER_TRANSPORT, 'HTTP transport does not import the other transports.'),
    forbid(WIRING, 'A mount point names the Runtime type only.', true),
  ]),
  layer(['bot/index.ts'], [
    ...throughServices,
    forbid([...TWITCH, ...into('backup', 'import', 'monitoring'), ...HTTP_TRANSPORT, ...into('jobs', 'cli')],
      'The bot calls the services (through the Services object), reads the domain and the ports, and nothing else of the server.'),
    forbid(WIRING, 'The bot role names the Runtime type only.', true),
  ]),
  // The browser app speaks HTTP: of the server it may read the types, and run only the pure
  // modules that import nothing else (the chat grammar, the activity vocabulary).
  layer(['dashboard/src/**/*.ts', 'dashboard/src/**/*.tsx'], [
    {
      regex: '(^|/)(server|db|bot)/(?!domain/grammar/[a-z-]+\\.js$|domain/activity\\.js$)',
      message: 'The dashboard imports server code as types only, except the pure grammar (server/domain/grammar/) and the activity vocabulary.',
      allowTypeImports: true,
    },
  ]),
  layer(['server/twitch/wiring.ts'], [
    forbid([...into('overlay', 'board', 'setup', 'cli', 'bot', 'startup')], 'The Twitch wiring mounts the login routes and nothing else of the transport.'),
    forbid(CONFIG, 'Configuration is parsed once by the entry points and passed in (type imports are fine).', true),
    forbid(WIRING, 'The Twitch wiring names the Runtime type only.', true),
  ]),
);
