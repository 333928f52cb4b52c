/**
 * The tmi.js private members bot/tmi-internals.ts relies on, checked on a real tmi.js client: an
 * upgrade that renames or reshapes one of them fails here, by name, instead of silently turning
 * off the inbox slicing, the USERSTATE reads or the hang-up after a missing token.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import tmi from 'tmi.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { connectionFromUrl } from '../../bot/tmi-client.js';
import {
  hangUp,
  interceptUserstate,
  patchInbox,
  socketOf,
  stopReconnecting,
  TMI_VERSION_WRITTEN_FOR,
  type ParsedLine,
} from '../../bot/tmi-internals.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const USERSTATE = '@badge-info=;badges=moderator/1;color=;display-name=MissionBot;emote-sets=0;mod=1;subscriber=0;user-type=mod :tmi.twitch.tv USERSTATE #standing';

const newClient = (connection: tmi.Options['connection'] = {}): tmi.Client =>
  new tmi.Client({ options: { skipUpdatingEmotesets: true }, connection, identity: { username: 'missionbot', password: 'oauth:test' }, logger: silent });

/** A client's members, read the way the adapter reads them. */
const privateOf = (client: tmi.Client) => client as unknown as Record<string, unknown>;

let sim: ChatSimulator | null = null;
let connected: tmi.Client | null = null;
afterEach(async () => {
  if (connected && connected.readyState() !== 'CLOSED') await connected.disconnect().catch(() => undefined);
  connected = null;
  await sim?.close();
  sim = null;
});

describe('tmi.js internals the adapter relies on', () => {
  it('are those of the tmi.js version it was written for, which package.json pins', () => {
    const installed = JSON.parse(readFileSync('node_modules/tmi.js/package.json', 'utf8')) as { version: string };
    const pinned = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies['tmi.js'];
    expect(installed.version, 'bot/tmi-internals.ts was written for another tmi.js: re-check every member it uses').toBe(TMI_VERSION_WRITTEN_FOR);
    expect(pinned, 'package.json must pin the tmi.js version bot/tmi-internals.ts was written for').toBe(TMI_VERSION_WRITTEN_FOR);
  });

  it('include `_onMessage`, `handleMessage`, the `reconnect` flag, `reason` and a null `ws` before connecting', () => {
    const client = privateOf(newClient({ reconnect: true }));
    expect(typeof client._onMessage, 'tmi.js client has no `_onMessage(event)`').toBe('function');
    expect(typeof client.handleMessage, 'tmi.js client has no `handleMessage(message)`').toBe('function');
    expect(client.reconnect, 'tmi.js client has no boolean `reconnect` flag set from the options').toBe(true);
    expect(privateOf(newClient({ reconnect: false })).reconnect).toBe(false);
    expect(client.reason, 'tmi.js client has no `reason` string').toBe('');
    expect(client.ws, 'tmi.js client has no `ws` member, null before connecting').toBeNull();
  });

  it('`_onMessage` parses each CRLF line and hands it to the instance’s `handleMessage`', () => {
    const client = newClient();
    const seen: ParsedLine[] = [];
    privateOf(client).handleMessage = (message: ParsedLine) => seen.push(message);
    (privateOf(client)._onMessage as (event: { data: string }) => void).call(client, { data: `PING :tmi.twitch.tv\r\n${USERSTATE}\r\n` });
    expect(seen.map((m) => m.command)).toEqual(['PING', 'USERSTATE']);
    expect(seen[1]).toMatchObject({ params: ['#standing'], tags: { mod: '1', 'user-type': 'mod' } });
  });

  it('let the patched inbox and the USERSTATE reader see lines before tmi.js handles them', () => {
    const client = newClient();
    const data: string[] = [];
    const states: Array<[string, unknown]> = [];
    const handle = patchInbox(client, (d) => data.push(d));
    interceptUserstate(client, (channel, tags) => states.push([channel, tags.mod]));
    (privateOf(client)._onMessage as (event: { data: string }) => void)({ data: USERSTATE });
    expect(data).toEqual([USERSTATE]);
    expect(states).toEqual([]);
    handle(USERSTATE);
    expect(states).toEqual([['#standing', '1']]);
  });

  it('take the socket’s data once connected, expose a pausable `ws`, and hang up without reconnecting', async () => {
    sim = await startChatSimulator();
    const client = newClient({ ...connectionFromUrl(sim.url), reconnect: true, reconnectInterval: 10 });
    connected = client;
    const data: string[] = [];
    const handle = patchInbox(client, (d) => {
      data.push(d);
      handle(d);
    });
    await client.connect();
    expect(data.join('\n'), '`connect()` no longer reads through `_onMessage`').toContain('001');
    const socket = socketOf(client);
    expect(typeof socket?.pause, '`ws` is not a socket with pause()/resume()').toBe('function');
    expect(typeof socket?.resume).toBe('function');

    const reason = new Promise<string>((resolve) => client.once('disconnected', (r) => resolve(String(r))));
    let reconnects = 0;
    client.on('reconnect', () => (reconnects += 1));
    hangUp(client, 'no token for this test');
    expect(await reason).toBe('no token for this test');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reconnects, 'tmi.js reconnected although `reconnect` was false').toBe(0);
    expect(socketOf(client)).toBeNull();
  });

  it('`stopReconnecting` clears the flag tmi.js reads on an unrequested close', () => {
    const client = newClient({ reconnect: true });
    stopReconnecting(client);
    expect(privateOf(client).reconnect).toBe(false);
  });
});
