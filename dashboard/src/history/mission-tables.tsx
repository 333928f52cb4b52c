/** A mission's pledges (with their settlement) and its ledger rows, each with its totals and "Load more". */
import type { LedgerRow, Pledge } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import { dateTime } from './format.js';
import type { Paged } from './use-paged.js';

function More({ paged, label }: { paged: Paged<unknown>; label: string }) {
  const { t } = useI18n();
  return (
    <>
      {paged.error && (
        <p class="error" role="alert">
          {paged.error}
        </p>
      )}
      {!paged.complete && !paged.error && (
        <button type="button" class="btn" onClick={paged.more} aria-disabled={paged.loading ? 'true' : undefined}>
          {paged.loading ? t.loading : label}
        </button>
      )}
    </>
  );
}

export function PledgesTable({ paged, currency }: { paged: Paged<Pledge>; currency: string }) {
  const { t, n, pts, locale } = useI18n();
  const s = t.history.mission;
  const total = paged.items.reduce((sum, p) => sum + p.amount, 0);
  return (
    <section class="card" aria-labelledby="pledges-title">
      <h2 id="pledges-title">{s.pledges}</h2>
      {paged.items.length === 0 && !paged.loading ? (
        <p class="muted">{s.noPledges}</p>
      ) : (
        <table class="history-table pledges-table">
          <thead>
            <tr>
              <th scope="col">{s.viewer}</th>
              <th scope="col" class="num">
                {s.amount}
              </th>
              <th scope="col">{s.time}</th>
              <th scope="col">{s.settlement}</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((p) => (
              <tr key={p.id} data-pledge={p.id}>
                <td data-label={s.viewer}>{p.viewer.displayName}</td>
                <td data-label={s.amount} class="num">
                  {pts(p.amount, currency)}
                </td>
                <td data-label={s.time}>
                  <time dateTime={p.createdAt}>{dateTime(p.createdAt, locale)}</time>
                </td>
                <td data-label={s.settlement}>{s.settlementOf[p.settlement ?? 'open']}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {paged.items.length > 0 && (
        <p class="history-total pledges-total" data-count={paged.items.length} data-total={total}>
          {s.pledgesTotal(paged.items.length, pts(total, currency), n)}
        </p>
      )}
      <More paged={paged} label={s.loadMorePledges} />
    </section>
  );
}

/** `names`: display names by user id (from the pledges), so a wallet reads as its viewer's. */
export function LedgerTable({ paged, currency, names }: { paged: Paged<LedgerRow>; currency: string; names: ReadonlyMap<string, string> }) {
  const { t, n, pts, locale } = useI18n();
  const s = t.history.mission;
  const into = paged.items.filter((r) => r.to.kind === 'escrow').reduce((sum, r) => sum + r.amount, 0);
  const out = paged.items.filter((r) => r.from.kind === 'escrow').reduce((sum, r) => sum + r.amount, 0);
  const account = (a: LedgerRow['from']) => {
    const kind = s.accounts[a.kind] ?? a.kind;
    const owner = a.userId === null ? undefined : (names.get(a.userId) ?? a.userId);
    return owner === undefined ? kind : `${kind} (${owner})`;
  };
  return (
    <section class="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{s.ledger}</h2>
      <p class="muted">{s.ledgerLead}</p>
      {paged.items.length === 0 && !paged.loading ? (
        <p class="muted">{s.noLedger}</p>
      ) : (
        <table class="history-table ledger-table">
          <thead>
            <tr>
              <th scope="col">{s.row}</th>
              <th scope="col">{s.kind}</th>
              <th scope="col">{s.fromTo}</th>
              <th scope="col" class="num">
                {s.amount}
              </th>
              <th scope="col">{s.time}</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((r) => (
              <tr key={r.id} data-row={r.id}>
                <td data-label={s.row}>{n(r.id)}</td>
                <td data-label={s.kind}>{s.kinds[r.kind] ?? r.kind}</td>
                <td data-label={s.fromTo}>
                  {account(r.from)} → {account(r.to)}
                </td>
                <td data-label={s.amount} class="num">
                  {pts(r.amount, currency)}
                </td>
                <td data-label={s.time}>
                  <time dateTime={r.createdAt}>{dateTime(r.createdAt, locale)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {paged.items.length > 0 && (
        <p class="history-total ledger-total" data-into={into} data-out={out}>
          {s.ledgerTotals(pts(into, currency), pts(out, currency))}
        </p>
      )}
      <More paged={paged} label={s.loadMoreLedger} />
    </section>
  );
}
