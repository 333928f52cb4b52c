/** The last verdicts, newest first. */
import type { Mission } from '../api/types.js';
import { useI18n } from '../i18n/index.js';

export function RecentVerdicts({ missions, currency }: { missions: Mission[]; currency: string }) {
  const { t, n, pts, locale } = useI18n();
  const time = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', { hour: 'numeric', minute: '2-digit' });
  return (
    <section aria-labelledby="recent-title" class="board-section">
      <h2 id="recent-title">{t.board.recent}</h2>
      {missions.length === 0 ? (
        <p class="muted empty">{t.board.noRecent}</p>
      ) : (
        <ul class="recent">
          {missions.map((m) => (
            <li key={m.number} class={`recent-item status-${m.status}`} data-number={m.number} data-status={m.status}>
              <span class={`chip status-${m.status}`}>{t.status[m.status]}</span>
              <span class="recent-text">
                #{m.number} {m.text}
              </span>
              <span class="recent-figures">
                {pts(m.pot, currency)} · {t.board.backers(m.backers, n)}
                {m.resolvedAt && <> · <time dateTime={m.resolvedAt}>{time.format(new Date(m.resolvedAt))}</time></>}
              </span>
              {m.reason && <span class="muted recent-reason">{t.board.reason(m.reason)}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
