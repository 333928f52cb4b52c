/**
 * `/c/<channel>/missions`: every mission, newest first, filtered by status, proposer, judge and
 * proposal dates. The filters live in the URL (shareable, kept on reload, back and forward move
 * through them); pages come from the REST list's cursor ("Load more"). Owners and admins also get
 * the accountant's CSV exports.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { ListPage, Mission } from '../api/types.js';
import { useCurrencyName } from '../api/use-currency.js';
import { useApp } from '../app-context.js';
import { roleIn } from '../history/access.js';
import { ExportLinks } from '../history/export-links.js';
import { filterProblem, filtersToApiQuery, filtersToSearch, NO_FILTERS, parseFilters, STATUSES, type HistoryFilters } from '../history/filters.js';
import { dateTime, personName } from '../history/format.js';
import '../history/history.css';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';

const PAGE_SIZE = 50;

export function MissionsPage({ channel }: { channel: string }) {
  const { api, session } = useApp();
  const i18n = useI18n();
  const { t, n, pts, locale } = i18n;
  const role = roleIn(session, channel);
  const [filters, setFilters] = useState<HistoryFilters>(() => parseFilters(window.location.search));
  const [draft, setDraft] = useState<HistoryFilters>(filters);
  const [items, setItems] = useState<Mission[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  // The filters the list shows (as their query string): it lags `filters` while a page loads.
  const [shown, setShown] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<ReturnType<typeof filterProblem>>(null);
  const currency = useCurrencyName(channel, 'pts');
  const request = useRef(0);
  // Read at the time of a failure, so a change of language does not reload the list.
  const networkError = useRef(t.errors.network);
  networkError.current = t.errors.network;

  useEffect(() => {
    document.title = `${t.history.pageTitle(channel)} — Mission Link`;
  }, [channel, t]);

  const load = useCallback(
    async (f: HistoryFilters, after: string | null) => {
      const mine = ++request.current;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<ListPage<Mission>>(`${channelPath(channel)}/missions${filtersToApiQuery(f, after, PAGE_SIZE)}`);
        if (mine !== request.current) return;
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setShown(filtersToSearch(f));
      } catch (err) {
        if (mine === request.current) setError(err instanceof ApiError && err.status !== 0 ? err.message : networkError.current);
      } finally {
        if (mine === request.current) setLoading(false);
      }
    },
    [api, channel],
  );

  useEffect(() => {
    if (role !== null) void load(filters, null);
  }, [filters, load, role]);

  // Back and forward move through earlier filters.
  useEffect(() => {
    const onPop = () => {
      const next = parseFilters(window.location.search);
      setFilters(next);
      setDraft(next);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  if (role === null) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t.history.pageTitle(channel)}</h1>
        <p role="alert">{t.history.noAccess}</p>
      </section>
    );
  }

  const apply = (next: HistoryFilters) => {
    const cleaned = { ...next, proposer: next.proposer.trim().toLowerCase(), judge: next.judge.trim().toLowerCase() };
    const wrong = filterProblem(cleaned);
    setProblem(wrong);
    if (wrong) return;
    setDraft(cleaned);
    const search = filtersToSearch(cleaned);
    if (search !== window.location.search) history.pushState(null, '', `${window.location.pathname}${search}`);
    setFilters(cleaned);
  };

  const field = (key: keyof HistoryFilters) => ({
    value: draft[key],
    onInput: (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value }),
  });
  const filtered = filtersToSearch(filters) !== '';
  const problemText = problem === 'range' ? t.history.filters.invalidRange : problem ? t.history.filters.invalidLogin : null;

  return (
    <section class="history" aria-labelledby="page-title">
      <h1 id="page-title">{t.history.pageTitle(channel)}</h1>
      <form
        class="card history-filters"
        role="search"
        aria-label={t.history.filters.label}
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <div class="history-fields">
          <label class="history-field">
            <span>{t.history.filters.status}</span>
            <select {...field('status')} onChange={field('status').onInput}>
              <option value="">{t.history.filters.anyStatus}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t.status[s]}
                </option>
              ))}
            </select>
          </label>
          <label class="history-field">
            <span>{t.history.filters.proposer}</span>
            <input type="text" autoComplete="off" spellcheck={false} placeholder={t.history.filters.loginHint} aria-invalid={problem === 'proposer' ? 'true' : undefined} {...field('proposer')} />
          </label>
          <label class="history-field">
            <span>{t.history.filters.judge}</span>
            <input type="text" autoComplete="off" spellcheck={false} placeholder={t.history.filters.loginHint} aria-invalid={problem === 'judge' ? 'true' : undefined} {...field('judge')} />
          </label>
          <label class="history-field">
            <span>{t.history.filters.from}</span>
            <input type="date" aria-describedby="dates-hint" aria-invalid={problem === 'range' ? 'true' : undefined} {...field('from')} />
          </label>
          <label class="history-field">
            <span>{t.history.filters.to}</span>
            <input type="date" aria-describedby="dates-hint" aria-invalid={problem === 'range' ? 'true' : undefined} {...field('to')} />
          </label>
        </div>
        <p id="dates-hint" class="muted">
          {t.history.filters.datesHint}
        </p>
        {problemText && (
          <p class="error" role="alert">
            {problemText}
          </p>
        )}
        <div class="history-buttons">
          <button type="submit" class="btn btn-primary">
            {t.history.filters.apply}
          </button>
          {filtered && (
            <button type="button" class="btn" onClick={() => apply(NO_FILTERS)}>
              {t.history.filters.clear}
            </button>
          )}
        </div>
      </form>

      <p class="muted history-count" role="status" aria-busy={loading ? 'true' : undefined}>
        {loading && items.length === 0 ? t.loading : t.history.shown(items.length, n)}
      </p>
      {error && (
        <p role="alert" class="error">
          {error}{' '}
          <button type="button" class="btn" onClick={() => void load(filters, null)}>
            {t.retry}
          </button>
        </p>
      )}
      {!loading && !error && items.length === 0 && <p class="muted">{filtered ? t.history.none : t.history.noneYet}</p>}
      <ul class="history-list" data-loading={loading ? 'true' : 'false'} data-query={shown ?? undefined}>
        {items.map((m) => (
          <li key={m.number} class="history-item" data-number={m.number} data-status={m.status}>
            <a class="history-link" href={`/c/${channel}/missions/${m.number}`} onClick={onLinkClick}>
              <span class="mission-number">#{m.number}</span> {m.text}
            </a>
            <span class={`chip status-${m.status}`}>{t.status[m.status]}</span>
            <span class="history-figures">
              <span class="history-pot">{pts(m.pot, currency)}</span> · {t.history.backers(m.backers, n)}
            </span>
            <span class="muted history-meta">
              {t.history.proposedBy(m.proposer.displayName)} · <time dateTime={m.createdAt}>{dateTime(m.createdAt, locale)}</time>
              {m.resolvedBy ? ` · ${t.history.judgedBy(personName(m.resolvedBy, t))}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" class="btn history-more" onClick={() => !loading && void load(filters, cursor)} aria-disabled={loading ? 'true' : undefined}>
          {t.history.loadMore}
        </button>
      )}
      {(role === 'owner' || role === 'admin') && <ExportLinks channel={channel} />}
    </section>
  );
}
