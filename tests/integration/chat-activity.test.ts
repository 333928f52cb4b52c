/**
 * Chat activity (the accrual's chat bonus and fallback) is buffered and written in one statement
 * per channel per flush, not one per chat line.
 */
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../server/ports/chat-client.js';
import { createChatActivityRecorder } from '../../server/twitch/chat-activity.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let channelId = 0;

const line = (channel: string, userId: string, login: string, at: number): IncomingMessage => ({
  id: `${userId}-${at}`, channel, text: 'hi', user: { userId, login, displayName: login.toUpperCase() }, role: 'viewer', at,
});

async function activity(): Promise<{ user_id: string; last_chat_at: Date; login: string }[]> {
  const r = await db.db.execute(sql`
    SELECT a.user_id, a.last_chat_at, u.login FROM chat_activity a JOIN users u USING (user_id)
    WHERE a.channel_id = ${channelId} ORDER BY a.user_id`);
  return (r.rows as { user_id: string; last_chat_at: string; login: string }[]).map((row) => ({ ...row, last_chat_at: new Date(row.last_chat_at) }));
}

beforeAll(async () => {
  db = await createTestDatabase('chat_activity');
  const r = await db.db.execute(sql`INSERT INTO channels (login, overlay_key) VALUES ('talky', 'k') RETURNING id`);
  channelId = Number((r.rows[0] as { id: number }).id);
});
afterAll(async () => db?.drop());

describe('chat activity recorder', () => {
  it('writes the latest chat per viewer on flush, follows renames, and drops unknown channels', async () => {
    let lookups = 0;
    const recorder = createChatActivityRecorder({
      db: db.db,
      logger: pino({ level: 'silent' }),
      channelId: async (login) => (lookups++, login === 'talky' ? channelId : null),
      flushMs: 60_000,
    });
    const t = Date.parse('2031-05-01T12:00:00Z');
    for (let i = 0; i < 1_000; i++) recorder.record(line('talky', `u${i % 10}`, `viewer${i % 10}`, t + i));
    recorder.record(line('talky', 'u3', 'renamed3', t + 5_000));
    recorder.record(line('elsewhere', 'u99', 'stranger', t));
    expect(await activity()).toEqual([]); // nothing written before the flush

    await recorder.stop();
    const rows = await activity();
    expect(rows).toHaveLength(10);
    expect(rows.find((r) => r.user_id === 'u3')).toMatchObject({ login: 'renamed3', last_chat_at: new Date(t + 5_000) });
    expect(rows.find((r) => r.user_id === 'u0')?.last_chat_at).toEqual(new Date(t + 990));
    expect(lookups).toBe(2); // one channel lookup per channel per flush, not per line
    const strangers = await db.db.execute(sql`SELECT 1 FROM users WHERE user_id = 'u99'`);
    expect(strangers.rows).toHaveLength(0);
  });

  it('never moves a last chat time backwards', async () => {
    const recorder = createChatActivityRecorder({ db: db.db, logger: pino({ level: 'silent' }), channelId: async () => channelId, flushMs: 60_000 });
    recorder.record(line('talky', 'u0', 'viewer0', Date.parse('2020-01-01T00:00:00Z')));
    await recorder.stop();
    expect((await activity()).find((r) => r.user_id === 'u0')?.last_chat_at).toEqual(new Date(Date.parse('2031-05-01T12:00:00Z') + 990));
  });
});
