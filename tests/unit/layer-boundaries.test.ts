/**
 * The layer rule in eslint.config.js: an import that points up is a lint error. Each case lints a
 * snippet as if it were a file in the given folder, with the repository's own configuration.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The layer-rule messages ESLint reports for `code` placed at `file` (relative to the repository). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layers point down', () => {
  it('a service importing the bot is an error', async () => {
    const errors = await layerErrors(
      'server/services/example.ts',
      "import { parseCommand } from '../../bot/parse/command.js';\nexport const parse = parseCommand;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/server\/domain\/grammar\/; server code never imports bot\//);
  });

  it('a service importing the domain grammar and a repository is fine', async () => {
    const errors = await layerErrors(
      'server/services/example.ts',
      "import { cleanChatText } from '../domain/grammar/text.js';\nimport { listChannels } from '../repositories/channels-repository.js';\nexport const both = [cleanChatText, listChannels];\n",
    );
    expect(errors).toEqual([]);
  });

  it('a service importing HTTP, the jobs or the configuration is an error', async () => {
    const errors = await layerErrors(
      'server/services/example.ts',
      "import { createMetrics } from '../http/metrics.js';\nimport { timerJobId } from '../jobs/scheduler.js';\nimport { loadConfig } from '../config.js';\nexport const all = [createMetrics, timerJobId, loadConfig];\n",
    );
    expect(errors).toHaveLength(3);
  });

  it('db/ importing server/ is an error, even for a type', async () => {
    const errors = await layerErrors('db/example.ts', "import type { Config } from '../server/config.js';\nexport type C = Config;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/db\/ is the lowest layer/);
  });

  it('db/ may read the mission-status list, and nothing else of the domain', async () => {
    const errors = await layerErrors(
      'db/example.ts',
      "import { MISSION_STATUSES } from '../server/domain/mission-status.js';\nimport { errors } from '../server/domain/errors.js';\nexport const all = [MISSION_STATUSES, errors];\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/db\/ is the lowest layer/);
  });

  it('the domain importing a service is an error', async () => {
    const errors = await layerErrors(
      'server/domain/grammar/example.ts',
      "import { withRetry } from '../../services/transaction.js';\nexport const retry = withRetry;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('an HTTP route may name a repository type but not call the repository', async () => {
    const file = 'server/http/routes/example.ts';
    expect(await layerErrors(file, "import type { TokenRow } from '../../repositories/tokens-repository.js';\nexport type T = TokenRow;\n")).toEqual([]);
    const errors = await layerErrors(file, "import { findMission } from '../../repositories/missions-repository.js';\nexport const find = findMission;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Transport calls a service/);
  });

  it('the Twitch edge importing the HTTP layer or the bot is an error', async () => {
    const errors = await layerErrors(
      'server/twitch/example.ts',
      "import type { ReadinessCheck } from '../http/plugins/health.js';\nimport type { ChatStatus } from '../../bot/chat-client.js';\nexport type Both = [ReadinessCheck, ChatStatus];\n",
    );
    expect(errors).toHaveLength(2);
  });

  it('the ledger sits beside the repositories: services may call it, transport and events may not', async () => {
    const ledger = "import { applyTransfers } from '../ledger/transfers.js';\nexport const apply = applyTransfers;\n";
    expect(await layerErrors('server/services/example.ts', ledger)).toEqual([]);
    expect(await layerErrors('server/events/example.ts', ledger)).toHaveLength(1);
    const route = await layerErrors('server/http/routes/example.ts', "import { applyTransfers } from '../../ledger/transfers.js';\nexport const apply = applyTransfers;\n");
    expect(route).toHaveLength(1);
    expect(route[0]).toMatch(/Transport calls a service/);
    const upward = await layerErrors('server/ledger/example.ts', "import { withRetry } from '../services/transaction.js';\nexport const retry = withRetry;\n");
    expect(upward).toHaveLength(1);
  });

  it('a chat command importing a repository is an error; the services are fine', async () => {
    const file = 'bot/commands/example.ts';
    expect(await layerErrors(file, "import { findChannelByLogin } from '../../server/repositories/channels-repository.js';\nexport const f = findChannelByLogin;\n")).toHaveLength(1);
    expect(await layerErrors(file, "import { withRetry } from '../../server/services/transaction.js';\nexport const r = withRetry;\n")).toEqual([]);
  });
});
