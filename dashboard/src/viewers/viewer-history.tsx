/** A viewer's pledges (newest first, with each mission and its settlement) and ledger rows (oldest first). */
import type { ComponentChildren } from 'preact';
import type { LedgerRow, Viewer, ViewerPledge } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
  loading: boolean;
}

const useDate = () => {
  const { locale } = useI18n();
  const format = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
  return (iso: string) => format.format(new Date(iso));
};

/** Wide tables scroll sideways on a phone; the scrolling box is focusable so keyboards can scroll it too. */
function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

function MoreButton({ page, onMore }: { page: Paged<unknown>; onMore(): void }) {
  const { t } = useI18n();
  if (!page.nextCursor) return null;
  return (
    <button type="button" class="btn" disabled={page.loading} onClick={onMore}>
      {t.viewers.showMore}
    </button>
  );
}

export function PledgeTable({ channel, page, currency, onMore }: { channel: string; page: Paged<ViewerPledge>; currency: string; onMore(): void }) {
  const { t, pts } = useI18n();
  const date = useDate();
  return (
    <section class="card" aria-labelledby="pledges-title">
      <h2 id="pledges-title">{t.viewers.pledges}</h2>
      {page.items.length === 0 && !page.loading ? (
        <p class="muted">{t.viewers.noPledges}</p>
      ) : (
        <Scroll label={t.viewers.pledges}>
          <table class="data-table pledges-table">
            <thead>
              <tr>
                <th scope="col">{t.viewers.mission}</th>
                <th scope="col" class="num">
                  {t.viewers.amount}
                </th>
                <th scope="col">{t.viewers.settlement}</th>
                <th scope="col">{t.viewers.when}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.id} data-pledge={p.id} data-mission={p.missionNumber} data-settlement={p.settlement ?? 'pending'}>
                  <td class="mission-cell">
                    <a href={`/c/${channel}/missions/${p.mission.number}`} onClick={onLinkClick}>
                      #{p.mission.number}
                    </a>{' '}
                    <span class="mission-title">{p.mission.text}</span>{' '}
                    <span class={`chip status-${p.mission.status}`}>{t.status[p.mission.status]}</span>
                  </td>
                  <td class="num">{pts(p.amount, currency)}</td>
                  <td>{t.viewers.settlements[p.settlement ?? 'pending']}</td>
                  <td class="when">{date(p.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <MoreButton page={page} onMore={onMore} />
    </section>
  );
}

export function LedgerTable({ viewer, page, currency, onMore }: { viewer: Viewer; page: Paged<LedgerRow>; currency: string; onMore(): void }) {
  const { t, n } = useI18n();
  const date = useDate();
  return (
    <section class="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t.viewers.ledger}</h2>
      <p class="muted">{t.viewers.ledgerLead}</p>
      {page.items.length === 0 && !page.loading ? (
        <p class="muted">{t.viewers.noLedger}</p>
      ) : (
        <Scroll label={t.viewers.ledger}>
          <table class="data-table ledger-table">
            <thead>
              <tr>
                <th scope="col">{t.viewers.when}</th>
                <th scope="col">{t.viewers.what}</th>
                <th scope="col" class="num">
                  {t.viewers.amount}
                </th>
                <th scope="col">{t.viewers.mission}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((row) => {
                // The journal names accounts; into this viewer's wallet is a credit, out of it a debit.
                const credit = row.to.userId === viewer.userId;
                return (
                  <tr key={row.id} data-id={row.id} data-kind={row.kind} data-amount={credit ? row.amount : -row.amount}>
                    <td class="when">{date(row.createdAt)}</td>
                    <td>{t.viewers.kinds[row.kind] ?? row.kind}</td>
                    <td class={`num ${credit ? 'credit' : 'debit'}`}>
                      {credit ? '+' : '−'}
                      {n(row.amount)} {currency}
                    </td>
                    <td class="nowrap">{row.missionNumber === null ? '' : `#${row.missionNumber}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Scroll>
      )}
      <MoreButton page={page} onMore={onMore} />
    </section>
  );
}
