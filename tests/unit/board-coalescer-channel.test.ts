import { describe, expect, it } from 'vitest';
import { createChannelCoalescer } from '../../server/overlay/coalescer.js';
import type { UnsequencedMessage } from '../../server/overlay/protocol.js';

describe('overlay coalescer and channel events', () => {
  it('ignores pause/resume events: the overlay shows missions only', () => {
    const emitted: UnsequencedMessage[][] = [];
    const coalescer = createChannelCoalescer({ emit: (m) => emitted.push(m), now: () => 0, schedule: () => () => undefined });
    expect(() => coalescer.push({ type: 'channel', channel: 'c', at: new Date(0).toISOString(), missionsPaused: true })).not.toThrow();
    expect(emitted).toEqual([]);
  });
});
