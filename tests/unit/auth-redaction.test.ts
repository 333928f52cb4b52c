import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl, serializeRequest } from '../../server/http/logger.js';
import { describeValidation, httpStatusFor } from '../../server/http/plugins/error-handler.js';
import type { DomainErrorCode } from '../../server/domain/errors.js';

describe('redactUrl', () => {
  it.each([
    ['/overlay/alice?key=abc', '/overlay/alice?key=[redacted]'],
    ['/x?Key=abc&theme=dark', '/x?Key=[redacted]&theme=dark'],
    ['/cb?code=c1&state=s1&scope=chat', '/cb?code=[redacted]&state=[redacted]&scope=chat'],
    ['/x?access_token=t&token=u', '/x?access_token=[redacted]&token=[redacted]'],
    ['/x?%6Bey=abc', '/x?%6Bey=[redacted]'],
    ['/plain/path', '/plain/path'],
    ['/x?keyboard=1', '/x?keyboard=1'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('the request serializer drops headers and strips the URL', () => {
    const out = serializeRequest({ method: 'GET', url: '/o?key=abc', ip: '1.2.3.4' });
    expect(out).toEqual({ method: 'GET', url: '/o?key=[redacted]', host: undefined, remoteAddress: '1.2.3.4', remotePort: undefined });
  });

  it('the logger censors nested secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (l: string) => void lines.push(l) });
    logger.info({ user: { password: 'p4ss', refreshToken: 'r1' }, req: { headers: { authorization: 'Bearer zz' } } });
    const out = lines.join('');
    expect(out).not.toMatch(/p4ss|r1|Bearer zz/);
    expect(out).toContain('[redacted]');
  });
});

describe('error mapping', () => {
  it('maps every domain code to a 4xx or 503', () => {
    const codes: DomainErrorCode[] = ['VALIDATION', 'COOLDOWN', 'MISSIONS_PAUSED', 'CHANNEL_EXISTS', 'STAKE_TOO_LOW'];
    expect(codes.map(httpStatusFor)).toEqual([400, 429, 409, 409, 422]);
  });

  it('names the offending field in validation messages', () => {
    expect(describeValidation('body', [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }])).toBe(
      'body has an unknown field "x"',
    );
    expect(describeValidation('body', [{ instancePath: '/a/b', keyword: 'type', message: 'must be integer' }])).toBe(
      'body.a.b must be integer',
    );
    expect(describeValidation('querystring', [{ instancePath: '', keyword: 'required', params: { missingProperty: 'q' } }])).toBe(
      'querystring.q is required',
    );
  });
});
