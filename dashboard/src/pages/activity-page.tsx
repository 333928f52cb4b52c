/**
 * `/c/<channel>/activity`: the audit trail, newest first. The filters live in the URL
 * (`?action=&source=&actor=&mission=&from=&to=`), so a filtered view can be shared and the back
 * button undoes a filter; "Load more" follows the list's cursor. Entries are rendered as text
 * and tolerate what this page does not know yet (a new action, a missing detail).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ACTIVITY_ACTIONS, ACTIVITY_SOURCES } from '../../../server/domain/activity.js';
import { ApiError, channelPath } from '../api/client.js';
import type { ActivityEntry, ActivityList } from '../api/types.js';
import { useCurrencyName } from '../api/use-currency.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';
import { formatDuration, kindOf, type FieldKey } from '../settings/form.js';
import { dateTime } from '../when.js';
import './manage.css';

interface Filters {
  action: string;
  source: string;
  actor: string;
  mission: string;
  from: string;
  to: string;
}
const FILTER_KEYS = ['action', 'source', 'actor', 'mission', 'from', 'to'] as const;
const EMPTY: Filters = { action: '', source: '', actor: '', mission: '', from: '', to: '' };
const PAGE_SIZE = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function filtersFromUrl(): Filters {
  const params = new URLSearchParams(window.location.search);
  const filters = { ...EMPTY };
  for (const key of FILTER_KEYS) filters[key] = params.get(key)?.trim() ?? '';
  return filters;
}

/** What is wrong with the filters, by field, before anything is asked of the server. */
function filterProblems(f: Filters): Partial<Record<keyof Filters, 'mission' | 'login'>> {
  const problems: Partial<Record<keyof Filters, 'mission' | 'login'>> = {};
  if (f.mission !== '' && !/^[1-9]\d{0,8}$/.test(f.mission)) problems.mission = 'mission';
  if (f.actor !== '' && !/^@?[A-Za-z0-9_]{2,25}$/.test(f.actor)) problems.actor = 'login';
  return problems;
}

/** The API query of the filters: dates are whole local days, the "to" day included. */
function queryOf(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams();
  if ((ACTIVITY_ACTIONS as readonly string[]).includes(f.action)) q.set('action', f.action);
  if ((ACTIVITY_SOURCES as readonly string[]).includes(f.source)) q.set('source', f.source);
  if (f.actor !== '') q.set('actor', f.actor.replace(/^@/, '').toLowerCase());
  if (f.mission !== '') q.set('mission', f.mission);
  if (DATE.test(f.from)) q.set('since', new Date(`${f.from}T00:00:00`).toISOString());
  if (DATE.test(f.to)) {
    const end = new Date(`${f.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    q.set('until', end.toISOString());
  }
  if (cursor) q.set('cursor', cursor);
  q.set('limit', String(PAGE_SIZE));
  return q.toString();
}

function urlOf(f: Filters): string {
  const q = new URLSearchParams();
  for (const key of FILTER_KEYS) if (f[key] !== '') q.set(key, f[key]);
  const search = q.toString();
  return window.location.pathname + (search ? `?${search}` : '');
}

export function ActivityPage({ channel }: { channel: string }) {
  const { api } = useApp();
  const { t, n } = useI18n();
  const v = t.activity;
  const [applied, setApplied] = useState<Filters>(filtersFromUrl);
  const [form, setForm] = useState<Filters>(applied);
  const [items, setItems] = useState<ActivityEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const currency = useCurrencyName(channel, null);
  const [showProblems, setShowProblems] = useState(false);
  // Answers to an older filter that arrive late are dropped.
  const generation = useRef(0);

  useEffect(() => {
    document.title = `${v.pageTitle(channel)} — Mission Link`;
  }, [channel, v]);

  useEffect(() => {
    const onPop = () => {
      const next = filtersFromUrl();
      setApplied(next);
      setForm(next);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const fetchPage = async (filters: Filters, after: string | null): Promise<ActivityList> =>
    api.get<ActivityList>(`${channelPath(channel)}/activity?${queryOf(filters, after)}`);

  const failure = (err: unknown) => (err instanceof ApiError && err.status !== 0 && err.status !== 404 ? err.message : err instanceof ApiError && err.status === 404 ? v.unavailable : t.errors.network);

  const loadFirst = () => {
    const mine = ++generation.current;
    setItems(null);
    setError(null);
    fetchPage(applied, null)
      .then((page) => {
        if (mine !== generation.current) return;
        setItems(Array.isArray(page?.items) ? page.items : []);
        setCursor(typeof page?.nextCursor === 'string' ? page.nextCursor : null);
      })
      .catch((err: unknown) => {
        if (mine === generation.current) setError(failure(err));
      });
  };

  useEffect(loadFirst, [api, channel, applied]);

  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    try {
      const page = await fetchPage(applied, cursor);
      if (mine !== generation.current) return;
      setItems((old) => {
        const seen = new Set((old ?? []).map((e) => e.id));
        return [...(old ?? []), ...(page.items ?? []).filter((e) => !seen.has(e.id))];
      });
      setCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(failure(err));
    } finally {
      setLoadingMore(false);
    }
  };

  const problems = filterProblems(form);
  const apply = (event: Event) => {
    event.preventDefault();
    setShowProblems(true);
    if (Object.keys(problems).length > 0) return;
    history.pushState(null, '', urlOf(form));
    setApplied({ ...form });
  };
  const clear = () => {
    history.pushState(null, '', urlOf(EMPTY));
    setShowProblems(false);
    setForm(EMPTY);
    setApplied(EMPTY);
  };
  const set = (key: keyof Filters) => (e: Event) => setForm((old) => ({ ...old, [key]: (e.currentTarget as HTMLInputElement).value }));
  const filtered = FILTER_KEYS.some((key) => applied[key] !== '');
  const problemText = (key: keyof Filters) => (showProblems && problems[key] ? (problems[key] === 'mission' ? v.badMission : v.badLogin) : null);

  return (
    <section class="activity-page" aria-labelledby="page-title">
      <h1 id="page-title">{v.pageTitle(channel)}</h1>
      <p class="muted">{v.lead}</p>
      <form class="card" aria-label={v.filters} onSubmit={apply} noValidate>
        <div class="activity-filters">
          <label>
            {v.action}
            <select value={form.action} onChange={set('action')}>
              <option value="">{v.any}</option>
              {ACTIVITY_ACTIONS.map((action) => (
                <option value={action} key={action}>
                  {v.actions[action] ?? action}
                </option>
              ))}
            </select>
          </label>
          <label>
            {v.source}
            <select value={form.source} onChange={set('source')}>
              <option value="">{v.any}</option>
              {ACTIVITY_SOURCES.map((source) => (
                <option value={source} key={source}>
                  {v.sources[source] ?? source}
                </option>
              ))}
            </select>
          </label>
          <FilterInput label={v.person} value={form.actor} onInput={set('actor')} error={problemText('actor')} id="filter-actor" />
          <FilterInput label={v.mission} value={form.mission} onInput={set('mission')} error={problemText('mission')} id="filter-mission" numeric />
          <label>
            {v.from}
            <input type="date" value={form.from} onInput={set('from')} />
          </label>
          <label>
            {v.to}
            <input type="date" value={form.to} onInput={set('to')} />
          </label>
        </div>
        <div class="activity-filter-buttons dialog-buttons">
          <button type="button" class="btn" onClick={clear} disabled={!filtered && FILTER_KEYS.every((k) => form[k] === '')}>
            {v.clear}
          </button>
          <button type="submit" class="btn btn-primary">
            {v.apply}
          </button>
        </div>
      </form>

      {error && (
        <p role="alert">
          {error}{' '}
          <button type="button" class="btn" onClick={loadFirst}>
            {t.retry}
          </button>
        </p>
      )}
      {!error && items === null && <p aria-busy="true">{t.loading}</p>}
      {items !== null && (
        <div class="card">
          {items.length === 0 ? (
            <p class="muted">{filtered ? v.emptyFiltered : v.empty}</p>
          ) : (
            <>
              <p class="muted" aria-live="polite">
                {v.shown(items.length, n)}
              </p>
              <ul class="activity-list" aria-label={v.title}>
                {items.map((entry) => (
                  <ActivityRow key={entry.id} entry={entry} channel={channel} currency={currency} />
                ))}
              </ul>
            </>
          )}
          {cursor && (
            <button type="button" class="btn" disabled={loadingMore} onClick={() => void loadMore()}>
              {loadingMore ? t.loading : v.loadMore}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function FilterInput(props: { label: string; value: string; onInput(e: Event): void; error: string | null; id: string; numeric?: boolean }) {
  return (
    <label>
      {props.label}
      <input
        value={props.value}
        onInput={props.onInput}
        inputMode={props.numeric ? 'numeric' : undefined}
        autoComplete="off"
        spellcheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
      />
      {props.error && (
        <span class="error" id={`${props.id}-error`}>
          {props.error}
        </span>
      )}
    </label>
  );
}

type Person = ActivityEntry['actor'];

function PersonName({ person, channel }: { person: Person | null; channel: string }) {
  const { t } = useI18n();
  const p = t.activity.people;
  if (!person) return <>{p.unknown}</>;
  if (person.kind === 'admin') return <>{p.admin}</>;
  if (person.kind === 'system') return <>{p.system}</>;
  if (person.kind === 'token') return <>{p.token(person.tokenId ?? null)}</>;
  const name = person.displayName ?? person.login ?? person.userId ?? p.unknown;
  if (!person.login) return <>{name}</>;
  return (
    <a href={`/c/${channel}/viewers/${encodeURIComponent(person.login)}`} onClick={onLinkClick}>
      {name}
    </a>
  );
}

function ActivityRow({ entry, channel, currency }: { entry: ActivityEntry; channel: string; currency: string | null }) {
  const { t, n, locale } = useI18n();
  const v = t.activity;
  const details = entry.details && typeof entry.details === 'object' ? entry.details : {};
  const changes = entry.action === 'settings.changed' && Array.isArray(details.changes) ? (details.changes as unknown[]) : [];

  const show = (key: string, value: unknown): string => {
    if (value === null || value === undefined) return key === 'maxPledge' ? v.noLimit : v.none;
    if (typeof value === 'boolean') return value ? v.on : v.off;
    const kind = kindOf(key as FieldKey);
    if (typeof value === 'number') return kind === 'duration' || kind === 'durationOrZero' ? formatDuration(value) : n(value);
    if (Array.isArray(value)) return value.length === 0 ? v.none : value.map(String).join(', ');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  };
  const labelOf = (key: string) => (t.settings.fields as Record<string, { label: string } | undefined>)[key]?.label ?? key;
  // An accrual change may come as one key holding an object: shown per sub-setting.
  const rows = changes.flatMap((raw) => {
    const c = (raw ?? {}) as { key?: unknown; before?: unknown; after?: unknown };
    const key = String(c.key ?? '');
    if (c.before && c.after && typeof c.before === 'object' && typeof c.after === 'object' && !Array.isArray(c.before)) {
      const before = c.before as Record<string, unknown>;
      const after = c.after as Record<string, unknown>;
      return Object.keys({ ...before, ...after })
        .filter((sub) => JSON.stringify(before[sub]) !== JSON.stringify(after[sub]))
        .map((sub) => ({ key: `${key}.${sub}`, before: before[sub], after: after[sub] }));
    }
    return [{ key, before: c.before, after: c.after }];
  });
  const tokenId = typeof details.tokenId === 'number' ? details.tokenId : null;
  const sessionId = typeof details.sessionId === 'number' ? details.sessionId : null;
  const deadline = entry.action === 'mission.extended' && typeof details.deadline === 'string' ? details.deadline : null;

  return (
    <li class="activity-item" data-action={entry.action} data-source={entry.source} data-id={entry.id}>
      <div class="activity-head">
        <span class="activity-action">{v.actions[entry.action] ?? entry.action}</span>
        <span class="chip">{v.sources[entry.source] ?? entry.source}</span>
        <time class="activity-when" dateTime={entry.at}>
          {dateTime(locale, entry.at)}
        </time>
      </div>
      <p>
        {v.by} <PersonName person={entry.actor} channel={channel} />
        {/* A proposal made for oneself names its proposer once. */}
        {entry.subject && entry.subject.userId !== entry.actor.userId && (
          <>
            {' · '}
            {v.about} <PersonName person={entry.subject} channel={channel} />
          </>
        )}
        {entry.missionNumber !== null && (
          <>
            {' · '}
            <a href={`/c/${channel}/missions/${entry.missionNumber}`} onClick={onLinkClick}>
              {v.missionLink(entry.missionNumber)}
            </a>
          </>
        )}
        {entry.amount !== null && ` · ${v.amount(currency ? `${n(entry.amount)} ${currency}` : n(entry.amount))}`}
        {tokenId !== null && ` · ${v.tokenRef(tokenId, String(details.role ?? ''))}`}
        {sessionId !== null && ` · ${v.sessionRef(sessionId)}`}
        {deadline && ` · ${v.newDeadline(dateTime(locale, deadline))}`}
      </p>
      {entry.reason && <p class="activity-reason">{v.reason(entry.reason)}</p>}
      {rows.length > 0 && (
        <ul class="activity-changes" aria-label={v.changes}>
          {rows.map((row) => (
            <li key={row.key}>{v.change(labelOf(row.key), show(row.key, row.before), show(row.key, row.after))}</li>
          ))}
        </ul>
      )}
    </li>
  );
}
