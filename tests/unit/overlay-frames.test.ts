import { afterEach, describe, expect, it } from 'vitest';
import { encodeTextFrames, PreparedBroadcast } from '../../server/overlay/frames.js';
import { openWsPair, type WsPair } from '../support/ws-pair.js';

let pair: WsPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

describe('prepared websocket frames', () => {
  it('are parsed by a real client at every length encoding (7-bit, 16-bit, 64-bit) and in UTF-8', async () => {
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000].map((n) => 'x'.repeat(n));
    texts.push('{"text":"보스를 죽지 않고 잡기 🎮"}');
    pair = await openWsPair();
    pair.tcp.write(encodeTextFrames(texts));
    expect(await pair.received(texts.length)).toEqual(texts);
  });

  it('keep their order with messages `ws` sends itself on the same socket', async () => {
    pair = await openWsPair();
    pair.server.send('first');
    pair.tcp.write(new PreparedBroadcast(['second', 'third']).frames());
    pair.server.send('fourth');
    expect(await pair.received(4)).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('are encoded once per broadcast, however many sockets get them', () => {
    const tick = new PreparedBroadcast(['{"type":"pledge","seq":1}']);
    expect(tick.frames()).toBe(tick.frames());
    expect([...tick.frames().subarray(0, 2)]).toEqual([0x81, tick.texts[0]!.length]);
  });
});
