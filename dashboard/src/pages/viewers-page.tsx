/** `/c/<channel>/viewers`: search by login or display name (as you type), and the leaderboard. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { ListPage, Viewer } from '../api/types.js';
import { useCurrencyName } from '../api/use-currency.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';
import './viewers.css';

/** Typing pauses this long before a search goes out: one request per word, not per key. */
const SEARCH_DEBOUNCE_MS = 250;
const LEADERBOARD_SIZE = 25;

type SearchState =
  | { kind: 'idle' }
  | { kind: 'searching'; q: string }
  | { kind: 'done'; q: string; items: Viewer[]; nextCursor: string | null; loadingMore?: boolean }
  | { kind: 'error'; q: string; message: string };

export function ViewersPage({ channel }: { channel: string }) {
  const { api } = useApp();
  const { t, n } = useI18n();
  const currency = useCurrencyName(channel, '');
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<SearchState>({ kind: 'idle' });
  const [leaders, setLeaders] = useState<Viewer[] | null>(null);
  const [leadersError, setLeadersError] = useState<string | null>(null);
  // Only the answer to the latest query is shown; a slower earlier one is dropped.
  const latest = useRef(0);

  const errorText = (err: unknown) =>
    err instanceof ApiError && err.status === 403 ? t.viewers.forbidden : err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network;

  useEffect(() => {
    document.title = `${t.viewers.pageTitle(channel)} — Mission Link`;
  }, [channel, t]);

  useEffect(() => {
    api
      .get<{ items: Viewer[] }>(`${channelPath(channel)}/leaderboard?limit=${LEADERBOARD_SIZE}`)
      .then((page) => setLeaders(page.items))
      .catch((err: unknown) => setLeadersError(errorText(err)));
  }, [api, channel]);

  const q = query.trim();
  useEffect(() => {
    const id = ++latest.current;
    if (q === '') {
      setSearch({ kind: 'idle' });
      return;
    }
    setSearch({ kind: 'searching', q });
    const timer = setTimeout(() => {
      api
        .get<ListPage<Viewer>>(`${channelPath(channel)}/viewers?q=${encodeURIComponent(q)}`)
        .then((page) => {
          if (id === latest.current) setSearch({ kind: 'done', q, items: page.items, nextCursor: page.nextCursor });
        })
        .catch((err: unknown) => {
          if (id === latest.current) setSearch({ kind: 'error', q, message: errorText(err) });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [api, channel, q]);

  const loadMore = async () => {
    if (search.kind !== 'done' || !search.nextCursor || search.loadingMore) return;
    const id = latest.current;
    setSearch({ ...search, loadingMore: true });
    try {
      const page = await api.get<ListPage<Viewer>>(
        `${channelPath(channel)}/viewers?q=${encodeURIComponent(search.q)}&cursor=${encodeURIComponent(search.nextCursor)}`,
      );
      if (id === latest.current) setSearch({ ...search, items: [...search.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false });
    } catch (err) {
      if (id === latest.current) setSearch({ kind: 'error', q: search.q, message: errorText(err) });
    }
  };

  const status =
    search.kind === 'searching'
      ? t.viewers.searching
      : search.kind === 'done'
        ? search.items.length === 0
          ? t.viewers.noMatch(search.q)
          : t.viewers.found(search.items.length, n, search.nextCursor !== null)
        : '';

  return (
    <section class="viewers-page" aria-labelledby="page-title">
      <h1 id="page-title">{t.viewers.pageTitle(channel)}</h1>
      <div class="card viewer-search" role="search">
        <label for="viewer-search">{t.viewers.search}</label>
        <input
          id="viewer-search"
          type="search"
          autoComplete="off"
          spellcheck={false}
          maxLength={64}
          value={query}
          aria-describedby="viewer-search-hint"
          aria-controls="viewer-results"
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
        <p id="viewer-search-hint" class="muted">
          {t.viewers.searchHint}
        </p>
        <p class="search-status" role="status" aria-live="polite" data-state={search.kind} data-q={search.kind === 'idle' ? '' : search.q}>
          {status}
        </p>
        {search.kind === 'error' && <p role="alert" class="error">{search.message}</p>}
        <div id="viewer-results">
          {search.kind === 'done' && search.items.length > 0 && (
            <ul class="viewer-list" aria-label={t.viewers.results}>
              {search.items.map((v) => (
                <li key={v.userId}>
                  <ViewerLink channel={channel} viewer={v} currency={currency} />
                </li>
              ))}
            </ul>
          )}
          {search.kind === 'done' && search.nextCursor && (
            <button type="button" class="btn" disabled={search.loadingMore === true} onClick={() => void loadMore()}>
              {t.viewers.showMore}
            </button>
          )}
        </div>
      </div>
      <section class="card" aria-labelledby="leaderboard-title">
        <h2 id="leaderboard-title">{t.viewers.leaderboard}</h2>
        {leadersError ? (
          <p role="alert">{leadersError}</p>
        ) : !leaders ? (
          <p aria-busy="true">{t.loading}</p>
        ) : leaders.length === 0 ? (
          <p class="muted">{t.viewers.leaderboardEmpty}</p>
        ) : (
          <ol class="leaderboard" aria-labelledby="leaderboard-title">
            {leaders.map((v, i) => (
              <li key={v.userId} data-login={v.login}>
                <span class="rank" aria-hidden="true">
                  {n(i + 1)}
                </span>
                <ViewerLink channel={channel} viewer={v} currency={currency} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}

/** A viewer's name (display name, then the login when it differs) and balance, linking to their page. */
function ViewerLink({ channel, viewer, currency }: { channel: string; viewer: Viewer; currency: string }) {
  const { t, pts } = useI18n();
  const sameName = viewer.displayName.toLowerCase() === viewer.login;
  return (
    <a class="viewer-link" href={`/c/${channel}/viewers/${viewer.login}`} onClick={onLinkClick} data-login={viewer.login}>
      <span class="viewer-name">
        <span class="display-name">{viewer.displayName}</span>
        {!sameName && <span class="login muted">@{viewer.login}</span>}
      </span>
      <span class="viewer-figures">
        <span class="balance" data-value={viewer.balance}>
          {pts(viewer.balance, currency)}
        </span>
        {viewer.inEscrow > 0 && (
          <span class="muted escrow-note">
            {t.viewers.inEscrow} {pts(viewer.inEscrow, currency)}
          </span>
        )}
      </span>
    </a>
  );
}
