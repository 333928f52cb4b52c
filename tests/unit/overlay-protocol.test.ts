import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOverlayKey, overlayKeyMatches, redactOverlayKey } from '../../server/overlay/key.js';
import { parseClientMessage, serializeBroadcast } from '../../server/overlay/protocol.js';
import { loadStaticAssets, resolveAsset } from '../../server/overlay/static-assets.js';

describe('parseClientMessage', () => {
  it('accepts exactly the two client messages', () => {
    expect(parseClientMessage(Buffer.from('{"type":"resync"}'), false)).toEqual({ type: 'resync' });
    expect(parseClientMessage('{"type":"ping","extra":1}', false)).toEqual({ type: 'ping' });
  });

  it.each([
    ['binary', Buffer.from('{"type":"ping"}'), true],
    ['invalid json', Buffer.from('{type:ping}'), false],
    ['array', Buffer.from('[{"type":"ping"}]'), false],
    ['null', Buffer.from('null'), false],
    ['unknown type', Buffer.from('{"type":"snapshot"}'), false],
    ['type not a string', Buffer.from('{"type":["ping"]}'), false],
    ['oversized', Buffer.from(`{"type":"ping","pad":"${'x'.repeat(1000)}"}`), false],
    ['deeply nested', Buffer.from('['.repeat(200_000)), false],
    ['not a buffer', { type: 'ping' }, false],
  ])('rejects %s without throwing', (_name, data, isBinary) => {
    expect(parseClientMessage(data, isBinary)).toBeNull();
  });
});

describe('serializeBroadcast', () => {
  it('puts type and seq first', () => {
    const text = serializeBroadcast({ type: 'mission', mission: { number: 1 } as never }, 42);
    expect(text.startsWith('{"type":"mission","seq":42,')).toBe(true);
  });
});

describe('overlay keys', () => {
  it('matches only the identical key', () => {
    const key = generateOverlayKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(overlayKeyMatches(key, key)).toBe(true);
    expect(overlayKeyMatches(key, `${key}x`)).toBe(false);
    expect(overlayKeyMatches(key, key.slice(0, -1))).toBe(false);
    expect(overlayKeyMatches(key, '')).toBe(false);
    expect(overlayKeyMatches(key, 'k'.repeat(500))).toBe(false);
  });

  it('never matches when no key is stored', () => {
    expect(overlayKeyMatches(null, '\u0000no-key')).toBe(false);
    expect(overlayKeyMatches(undefined, 'anything')).toBe(false);
    expect(overlayKeyMatches('', '')).toBe(false);
  });

  it('redacts the key from URLs for logs', () => {
    expect(redactOverlayKey('/overlay/chan?theme=dark&key=s3cret&max=2')).toBe('/overlay/chan?theme=dark&key=[redacted]&max=2');
    expect(redactOverlayKey('/ws/overlay/chan?key=abc')).toBe('/ws/overlay/chan?key=[redacted]');
  });
});

describe('static assets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overlay-assets-'));
  writeFileSync(join(dir, 'overlay.js'), 'export {}');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'notes.txt'), 'not an asset type');
  mkdirSync(join(dir, 'icons'));
  writeFileSync(join(dir, 'icons', 'a.svg'), '<svg/>');
  symlinkSync('/etc/passwd', join(dir, 'passwd.js'));
  const assets = loadStaticAssets(dir);

  it('serves allowlisted files by relative path', () => {
    expect(resolveAsset(assets, 'overlay.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(resolveAsset(assets, 'icons/a.svg')?.body.toString()).toBe('<svg/>');
  });

  it.each(['../package.json', 'icons/../overlay.js', '.env', 'notes.txt', 'passwd.js', '/etc/passwd', 'icons//a.svg', '', 'icons\\a.svg', '%2e%2e/x'])(
    'refuses %s',
    (path) => {
      expect(resolveAsset(assets, path)).toBeNull();
    },
  );
});
