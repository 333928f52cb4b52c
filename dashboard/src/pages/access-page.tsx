/**
 * `/c/<channel>/access` (streamer and admin): the channel's API tokens (issue, revoke) and the
 * browsers signed in with a role in it (sign out). A new token's secret is shown once, in this
 * page's memory only: leaving the page or pressing "I have copied it" drops it for good.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { ApiToken, DashboardSessionEntry, IssuedApiToken } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import { dateTime } from '../when.js';
import './manage.css';

interface List<T> {
  items: T[];
}

export function AccessPage({ channel }: { channel: string }) {
  const { api, session, announce } = useApp();
  const { t, locale } = useI18n();
  const a = t.access;
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [sessions, setSessions] = useState<DashboardSessionEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedApiToken | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const role = session.user?.admin ? 'admin' : session.channels.find((c) => c.login === channel)?.role;
  const allowed = role === 'owner' || role === 'admin';
  const when = (iso: string) => dateTime(locale, iso);
  const failed = (err: unknown) => announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');

  useEffect(() => {
    document.title = `${a.pageTitle(channel)} — Mission Link`;
  }, [channel, a]);

  const load = () =>
    Promise.all([api.get<List<ApiToken>>(`${channelPath(channel)}/tokens`), api.get<List<DashboardSessionEntry>>(`${channelPath(channel)}/sessions`)])
      .then(([tokenList, sessionList]) => {
        setTokens(tokenList.items);
        setSessions(sessionList.items);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network));

  useEffect(() => {
    if (allowed) void load();
  }, [api, channel, allowed]);

  if (!allowed) return <p role="alert">{a.ownerOnly}</p>;
  if (error) {
    return (
      <p role="alert">
        {error}{' '}
        <button type="button" class="btn" onClick={() => void load()}>
          {t.retry}
        </button>
      </p>
    );
  }
  if (!tokens || !sessions) return <p aria-busy="true">{t.loading}</p>;

  const issue = async (role: 'moderator' | 'owner', label: string) => {
    setBusy(true);
    try {
      const body = label.trim() === '' ? { role } : { role, label: label.trim() };
      const made = await api.post<IssuedApiToken>(`${channelPath(channel)}/tokens`, body);
      setIssued(made);
      setTokens((old) => [...(old ?? []).filter((tk) => tk.id !== made.id), { id: made.id, role: made.role, label: made.label, createdAt: made.createdAt, revokedAt: made.revokedAt }]);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const revokeToken = async (id: number) => {
    setBusy(true);
    try {
      const row = await api.delete<ApiToken>(`${channelPath(channel)}/tokens/${id}`);
      setTokens((old) => (old ?? []).map((tk) => (tk.id === id ? row : tk)));
      if (issued?.id === id) setIssued(null);
      setConfirming(null);
      announce(a.revoked(id));
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const signOut = async (entry: DashboardSessionEntry) => {
    setBusy(true);
    try {
      await api.delete<void>(`${channelPath(channel)}/sessions/${entry.id}`);
      // Ending one's own session signs this browser out: start over from the sign-in page.
      if (entry.current) {
        window.location.assign('/');
        return;
      }
      setSessions((old) => (old ?? []).filter((s) => s.id !== entry.id));
      setConfirming(null);
      announce(a.signedOut(entry.displayName ?? entry.login));
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const roleName = (r: string) => (r === 'owner' ? t.roles.owner : r === 'moderator' ? t.roles.moderator : r);

  return (
    <section class="access-page" aria-labelledby="page-title">
      <h1 id="page-title">{a.pageTitle(channel)}</h1>

      <div class="card">
        <h2 id="tokens-title">{a.tokens}</h2>
        <p class="muted">{a.tokensHelp}</p>
        {issued?.token && <IssuedSecret issued={issued} onDone={() => setIssued(null)} />}
        {tokens.length === 0 ? (
          <p class="muted">{a.noTokens}</p>
        ) : (
          <ul class="access-list" aria-labelledby="tokens-title">
            {[...tokens].reverse().map((tk) => {
              const key = `token-${tk.id}`;
              return (
                <li class="access-item" key={tk.id} data-token={tk.id} data-revoked={tk.revokedAt !== null}>
                  <span class="access-name">{a.tokenName(tk.id, tk.label)}</span>
                  <span class="chip">{a.tokenRoles[tk.role] ?? tk.role}</span>
                  <span class={tk.revokedAt ? 'chip' : 'chip chip-ok'}>{tk.revokedAt ? a.revokedChip : a.active}</span>
                  <span class="access-meta">
                    {a.created(when(tk.createdAt))}
                    {tk.revokedAt ? ` · ${a.revokedAt(when(tk.revokedAt))}` : ` · ${a.lastUsedUnknown}`}
                  </span>
                  {tk.revokedAt === null && (
                    <span class="access-actions">
                      <Confirmable
                        open={confirming === key}
                        busy={busy}
                        label={a.revokeToken(tk.id)}
                        warning={a.revokeWarning}
                        onOpen={() => setConfirming(key)}
                        onCancel={() => setConfirming(null)}
                        onConfirm={() => void revokeToken(tk.id)}
                      />
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        <IssueForm busy={busy} onIssue={(role, label) => void issue(role, label)} />
      </div>

      <div class="card">
        <h2 id="sessions-title">{a.sessions}</h2>
        <p class="muted">{a.sessionsHelp}</p>
        {sessions.length === 0 ? (
          <p class="muted">{a.noSessions}</p>
        ) : (
          <ul class="access-list" aria-labelledby="sessions-title">
            {sessions.map((entry) => {
              const key = `session-${entry.id}`;
              const who = entry.displayName ?? entry.login;
              return (
                <li class="access-item" key={entry.id} data-session={entry.id}>
                  <span class="access-name">
                    {who}
                    {who.toLowerCase() !== entry.login ? ` (${entry.login})` : ''}
                  </span>
                  <span class="chip">{roleName(entry.role)}</span>
                  {entry.current && <span class="chip chip-ok">{a.thisBrowser}</span>}
                  <span class="access-meta">
                    {a.signedIn(when(entry.createdAt))} · {a.expires(when(entry.expiresAt))} · {a.lastSeenUnknown}
                  </span>
                  <span class="access-actions">
                    <Confirmable
                      open={confirming === key}
                      busy={busy}
                      label={a.signOut(entry.login)}
                      warning={null}
                      onOpen={() => setConfirming(key)}
                      onCancel={() => setConfirming(null)}
                      onConfirm={() => void signOut(entry)}
                    />
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}

interface ConfirmableProps {
  open: boolean;
  busy: boolean;
  label: string;
  warning: string | null;
  onOpen(): void;
  onCancel(): void;
  onConfirm(): void;
}

/** A destructive button that asks once more in place: the confirming button keeps the action in its name. */
function Confirmable({ open, busy, label, warning, onOpen, onCancel, onConfirm }: ConfirmableProps) {
  const { t } = useI18n();
  if (!open) {
    return (
      <button type="button" class="btn btn-danger" onClick={onOpen}>
        {label}
      </button>
    );
  }
  return (
    <>
      {warning && <span class="warning">{warning}</span>}
      <button type="button" class="btn" onClick={onCancel}>
        {t.access.back}
      </button>
      <button type="button" class="btn btn-danger" disabled={busy} aria-label={`${t.access.confirm}: ${label}`} onClick={onConfirm}>
        {t.access.confirm}
      </button>
    </>
  );
}

function IssueForm({ busy, onIssue }: { busy: boolean; onIssue(role: 'moderator' | 'owner', label: string): void }) {
  const { t } = useI18n();
  const a = t.access;
  const [role, setRole] = useState<'moderator' | 'owner'>('moderator');
  const [label, setLabel] = useState('');
  return (
    <form
      class="issue-form"
      aria-labelledby="issue-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return;
        onIssue(role, label);
        setLabel('');
      }}
    >
      <h3 id="issue-title" class="visually-hidden">
        {a.issueTitle}
      </h3>
      <label>
        {a.role}
        <select value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as 'moderator' | 'owner')}>
          <option value="moderator">{a.roleModerator}</option>
          <option value="owner">{a.roleOwner}</option>
        </select>
      </label>
      <label>
        {a.label}
        <input value={label} maxLength={100} aria-describedby="issue-label-hint" onInput={(e) => setLabel((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {a.issue}
      </button>
      <p class="muted" id="issue-label-hint">
        {a.labelHint}
      </p>
    </form>
  );
}

function IssuedSecret({ issued, onDone }: { issued: IssuedApiToken; onDone(): void }) {
  const { t } = useI18n();
  const a = t.access;
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.token ?? '');
    } catch {
      const input = document.getElementById('issued-secret') as HTMLInputElement | null;
      input?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };
  return (
    <div class="secret-box" role="region" aria-labelledby="issued-title">
      <h3 id="issued-title">{a.issuedTitle(issued.id)}</h3>
      <p class="warning" id="issued-warning">
        {a.secretOnce}
      </p>
      <label for="issued-secret">{a.secretLabel}</label>
      <div class="url-row">
        <input id="issued-secret" readOnly value={issued.token ?? ''} aria-describedby="issued-warning" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button type="button" class="btn btn-primary" onClick={() => void copy()}>
          {copied ? a.copied : a.copy}
        </button>
      </div>
      <button type="button" class="btn" onClick={onDone}>
        {a.done}
      </button>
    </div>
  );
}
