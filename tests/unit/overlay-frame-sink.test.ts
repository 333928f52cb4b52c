/**
 * The overlay's frame sinks on a real `ws` server and client, and the `ws` internals the raw sink
 * relies on (server/overlay/raw-frame-sink.ts): an upgrade of `ws` that changes them fails here,
 * by name, instead of reordering or uncounting what overlays receive.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendEach } from '../../server/overlay/frame-sink.js';
import { PreparedBroadcast } from '../../server/overlay/frames.js';
import { rawFrameSink } from '../../server/overlay/raw-frame-sink.js';
import { openWsPair, type WsPair } from '../support/ws-pair.js';

let pair: WsPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

const texts = ['{"type":"pledge","seq":1}', 'x'.repeat(70_000), '{"text":"보스를 죽지 않고 잡기 🎮"}'];

describe('overlay frame sinks', () => {
  it('raw: a tick arrives intact and in order with what `ws` sends itself', async () => {
    pair = await openWsPair();
    const sink = rawFrameSink(pair.server, pair.tcp);
    expect(sink, 'no raw sink for a plain `ws` connection').toBeDefined();
    pair.server.send('first');
    sink!.write(new PreparedBroadcast(texts));
    pair.server.send('last');
    expect(await pair.received(5)).toEqual(['first', ...texts, 'last']);
  });

  it('plain: a tick arrives intact through `send`', async () => {
    pair = await openWsPair();
    const sink = sendEach(pair.server);
    pair.server.send('first');
    sink.write(new PreparedBroadcast(texts));
    expect(await pair.received(4)).toEqual(['first', ...texts]);
    expect(sink.bufferedAmount).toBe(pair.server.bufferedAmount);
  });

  it('raw: none where frames cannot go as they are (permessage-deflate, no real TCP socket)', async () => {
    pair = await openWsPair({ perMessageDeflate: true });
    expect(pair.server.extensions).toContain('permessage-deflate');
    expect(rawFrameSink(pair.server, pair.tcp)).toBeUndefined();
    expect(rawFrameSink({ extensions: '', bufferedAmount: 0 }, undefined)).toBeUndefined();
  });
});

describe('`ws` internals the raw sink relies on', () => {
  it('is the `ws` version the sink was written for', () => {
    const installed = JSON.parse(readFileSync('node_modules/ws/package.json', 'utf8')) as { version: string };
    expect(installed.version.split('.')[0], 'server/overlay/raw-frame-sink.ts was written for ws 8: re-check what it relies on').toBe('8');
  });

  it('writes to the upgraded TCP socket itself, with no queue of its own for a string `send`', async () => {
    pair = await openWsPair();
    const internals = pair.server as unknown as { _socket?: unknown; _sender?: { _socket?: unknown } };
    expect(internals._socket, '`ws` websocket no longer keeps the upgraded socket as `_socket`').toBe(pair.tcp);
    expect(internals._sender?._socket, "`ws` sender no longer writes to the websocket's `_socket`").toBe(pair.tcp);
    expect(pair.tcp).toBeInstanceOf(Socket);
    pair.tcp.cork();
    const before = pair.tcp.writableLength;
    pair.server.send('hello');
    expect(pair.tcp.writableLength - before, '`ws` held a string `send` back instead of writing it to the socket').toBe(2 + 'hello'.length);
    pair.tcp.uncork();
    expect(await pair.received(1)).toEqual(['hello']);
  });

  it("counts bytes the sink wrote to the TCP socket in `bufferedAmount`", async () => {
    pair = await openWsPair();
    const sink = rawFrameSink(pair.server, pair.tcp)!;
    const tick = new PreparedBroadcast(texts);
    pair.tcp.cork();
    const before = pair.server.bufferedAmount;
    sink.write(tick);
    expect(pair.server.bufferedAmount - before, "`ws`'s bufferedAmount no longer counts the TCP socket's queue").toBe(tick.frames().length);
    expect(sink.bufferedAmount).toBe(pair.server.bufferedAmount);
    pair.tcp.uncork();
    expect(await pair.received(3)).toEqual(texts);
  });
});
