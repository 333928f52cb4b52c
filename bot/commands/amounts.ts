import type { AmountSpec } from '../../server/domain/grammar/amount.js';
import type { AmountInput } from '../../server/services/missions.js';

/** Chat amounts as the mission service takes them: relative ones resolve under the wallet lock. */
export function toAmountInput(spec: AmountSpec): AmountInput {
  switch (spec.kind) {
    case 'absolute':
      return spec.value;
    case 'all':
      return { kind: 'all' };
    case 'half':
      return { kind: 'half' };
    case 'percent':
      return { kind: 'percent', percent: spec.percent };
  }
}

/** Chat durations are milliseconds; services take whole seconds (rounded up, never to zero). */
export const toSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
