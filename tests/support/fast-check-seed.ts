/**
 * Property tests explore new random inputs on developers' machines, but CI replays a fixed seed
 * so a run's result does not depend on luck. FC_SEED overrides both (to replay a failure).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261121' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
