/**
 * Download links of the accountant's CSV exports (ledger, missions, pledges) for a month or a
 * range of days. Plain links with `download`: the browser streams the file itself, with the
 * session cookie, from the export routes (owner and admin only; the page hides this otherwise).
 */
import { useState } from 'preact/hooks';
import { channelPath } from '../api/client.js';
import { useI18n } from '../i18n/index.js';
import { exportQuery, thisMonth } from './filters.js';

const KINDS = ['ledger', 'missions', 'pledges'] as const;

export function ExportLinks({ channel }: { channel: string }) {
  const { t } = useI18n();
  const s = t.history.exports;
  const [month, setMonth] = useState(() => thisMonth(new Date()));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // A range of days, once both ends are set, wins over the month; neither means all time.
  const byRange = from !== '' && to !== '' && from <= to;
  const query = byRange ? exportQuery({ from, to }) : month !== '' ? exportQuery({ month }) : '';
  const period = byRange ? `${from} – ${to}` : month !== '' ? month : s.all;
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <section class="card history-exports" aria-labelledby="exports-title">
      <h2 id="exports-title">{s.title}</h2>
      <p class="muted">{s.lead}</p>
      <div class="history-fields">
        <label class="history-field">
          <span>{s.month}</span>
          <input type="month" value={month} onInput={(e) => setMonth(value(e))} />
        </label>
        <label class="history-field">
          <span>{s.from}</span>
          <input type="date" value={from} onInput={(e) => setFrom(value(e))} />
        </label>
        <label class="history-field">
          <span>{s.to}</span>
          <input type="date" value={to} onInput={(e) => setTo(value(e))} />
        </label>
      </div>
      <p class="export-period" aria-live="polite">
        {period}
      </p>
      <ul class="export-links">
        {KINDS.map((kind) => (
          <li key={kind}>
            <a class="btn" href={`/api/v1${channelPath(channel)}/exports/${kind}.csv${query}`} download data-kind={kind} aria-label={s.linkName(s[kind], period)}>
              {s[kind]}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
