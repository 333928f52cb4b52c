/**
 * The oldest Node this app runs on, kept equal to package.json's `engines.node` (a test checks):
 * `process.loadEnvFile` needs 20.12, and the test runner (vitest 4) 20.19.
 */
export const MINIMUM_NODE = '20.19.0';

const parse = (version: string): number[] => version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);

/** One line naming the problem when `version` is older than {@link MINIMUM_NODE}; undefined when it is fine. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const have = parse(version);
  const need = parse(MINIMUM_NODE);
  for (let i = 0; i < need.length; i += 1) {
    if ((have[i] ?? 0) > need[i]!) return undefined;
    if ((have[i] ?? 0) < need[i]!) {
      return `Mission Link needs Node ${MINIMUM_NODE} or newer (this is Node ${version.replace(/^v/, '')}). Install the current LTS from https://nodejs.org and run npm ci again.`;
    }
  }
  return undefined;
}
