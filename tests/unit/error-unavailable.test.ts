/** Database outages map to 503 UNAVAILABLE (retry with the same Idempotency-Key), other failures to 500. */
import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from '../../server/http/plugins/error-handler.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    ['admin shutdown 57P01', withCode('57P01')],
    ['cannot connect now 57P03', withCode('57P03')],
    ['connection failure 08006', withCode('08006')],
    ['ECONNREFUSED', withCode('ECONNREFUSED')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
    ['wrapped by drizzle', new Error('Failed query: select 1', { cause: withCode('57P01') })],
  ])('%s is an outage', (_label, err) => {
    expect(isStoreUnavailable(err)).toBe(true);
  });

  it.each([
    ['unique violation 23505', withCode('23505')],
    ['check violation 23514', withCode('23514')],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['not an error', 'boom'],
  ])('%s is not', (_label, err) => {
    expect(isStoreUnavailable(err)).toBe(false);
  });
});
