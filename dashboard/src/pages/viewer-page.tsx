/** `/c/<channel>/viewers/<login>`: balance, points in escrow, pledges, ledger rows, give and take. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { LedgerRow, ListPage, Role, Viewer, ViewerPledge } from '../api/types.js';
import { useCurrencyName } from '../api/use-currency.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';
import { AdjustForm } from '../viewers/adjust-form.js';
import { LedgerTable, PledgeTable, type Paged } from '../viewers/viewer-history.js';
import './viewers.css';

const PAGE = 50;
const empty = <T,>(): Paged<T> => ({ items: [], nextCursor: null, loading: true });

export function ViewerPage({ channel, login }: { channel: string; login: string }) {
  const { api, session } = useApp();
  const { t, pts } = useI18n();
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const currency = useCurrencyName(channel, '');
  const [pledges, setPledges] = useState<Paged<ViewerPledge>>(empty);
  const [ledger, setLedger] = useState<Paged<LedgerRow>>(empty);

  const role: Role | null = session.channels.find((c) => c.login === channel)?.role ?? (session.user?.admin ? 'admin' : null);
  const base = channelPath(channel);
  const who = encodeURIComponent(login);

  useEffect(() => {
    document.title = `${t.viewers.viewerTitle(viewer?.displayName ?? login, channel)} — Mission Link`;
  }, [channel, login, viewer, t]);

  const loadPledges = useCallback(
    async (cursor: string | null) => {
      setPledges((p) => ({ ...p, loading: true }));
      const page = await api.get<ListPage<ViewerPledge>>(`${base}/viewers/${who}/pledges?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`);
      setPledges((p) => ({ items: cursor ? [...p.items, ...page.items] : page.items, nextCursor: page.nextCursor, loading: false }));
    },
    [api, base, who],
  );

  const loadLedger = useCallback(
    async (cursor: string | null) => {
      setLedger((p) => ({ ...p, loading: true }));
      const page = await api.get<ListPage<LedgerRow>>(`${base}/ledger?viewer=${who}&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`);
      setLedger((p) => ({ items: cursor ? [...p.items, ...page.items] : page.items, nextCursor: page.nextCursor, loading: false }));
    },
    [api, base, who],
  );

  const failed = (err: unknown) =>
    setError(err instanceof ApiError && err.code === 'VIEWER_NOT_FOUND' ? t.viewers.notFound(login) : err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network);

  useEffect(() => {
    api.get<Viewer>(`${base}/viewers/${who}`).then(setViewer).catch(failed);
    loadPledges(null).catch(failed);
    loadLedger(null).catch(failed);
  }, [api, base, who, loadPledges, loadLedger]);

  // After a give or take: the balance from the server's answer; the ledger gained a row at its end.
  const onAdjusted = (updated: Viewer) => {
    setViewer(updated);
    if (ledger.nextCursor === null) {
      const after = ledger.items.at(-1)?.id;
      api
        .get<ListPage<LedgerRow>>(`${base}/ledger?viewer=${who}&limit=${PAGE}${after ? `&cursor=${after}` : ''}`)
        .then((page) => setLedger((p) => ({ items: [...p.items, ...page.items], nextCursor: page.nextCursor, loading: false })))
        .catch(failed);
    }
  };

  return (
    <section class="viewer-page" aria-labelledby="page-title">
      <p>
        <a href={`/c/${channel}/viewers`} onClick={onLinkClick}>
          ← {t.viewers.back}
        </a>
      </p>
      <h1 id="page-title">
        {viewer?.displayName ?? login}
        {viewer && viewer.displayName.toLowerCase() !== viewer.login && <span class="login muted"> @{viewer.login}</span>}
      </h1>
      {error ? (
        <p role="alert">{error}</p>
      ) : !viewer ? (
        <p aria-busy="true">{t.loading}</p>
      ) : (
        <>
          <dl class="totals viewer-totals">
            <div>
              <dt>{t.viewers.balance}</dt>
              <dd class="viewer-balance" data-value={viewer.balance}>
                {pts(viewer.balance, currency)}
              </dd>
            </div>
            <div>
              <dt>{t.viewers.inEscrow}</dt>
              <dd class="viewer-escrow" data-value={viewer.inEscrow}>
                {pts(viewer.inEscrow, currency)}
              </dd>
            </div>
          </dl>
          <div class="viewer-layout">
            <div class="viewer-main">
              <PledgeTable channel={channel} page={pledges} currency={currency} onMore={() => void loadPledges(pledges.nextCursor).catch(failed)} />
              <LedgerTable viewer={viewer} page={ledger} currency={currency} onMore={() => void loadLedger(ledger.nextCursor).catch(failed)} />
            </div>
            <div class="viewer-side">
              {role ? (
                <AdjustForm channel={channel} viewer={viewer} currency={currency} onAdjusted={onAdjusted} />
              ) : (
                <p class="muted card">{t.viewers.readOnly}</p>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
