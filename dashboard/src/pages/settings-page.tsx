/**
 * `/c/<channel>/settings`: every channel setting as one form in sections. Save sends only what
 * changed; a refusal is shown beside the field the server names, and nothing is saved. The
 * streamer and the admin edit; a moderator sees the same form disabled. The draft lives in this
 * page's state, so switching the language keeps unsaved changes.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { Channel, Settings } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import './manage.css';
import { draftOf, fieldOfError, patchOf, SECTIONS, type Draft, type FieldKey, type FieldKind, type ParseProblem } from '../settings/form.js';

const inputId = (key: FieldKey) => `setting-${key.replace('.', '-')}`;

export function SettingsPage({ channel }: { channel: string }) {
  const { api, session, announce } = useApp();
  const { t } = useI18n();
  const s = t.settings;
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<{ field: FieldKey | null; message: string } | null>(null);
  const [showProblems, setShowProblems] = useState(false);
  const [busy, setBusy] = useState(false);

  const role = session.user?.admin ? 'admin' : session.channels.find((c) => c.login === channel)?.role;
  const canEdit = role === 'owner' || role === 'admin';

  useEffect(() => {
    document.title = `${s.pageTitle(channel)} — Mission Link`;
  }, [channel, s]);

  useEffect(() => {
    api
      .get<Channel>(channelPath(channel))
      .then((c) => {
        setSaved(c.settings);
        setDraft(draftOf(c.settings));
      })
      .catch((err: unknown) => setLoadError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network));
    // Loaded once per channel: a language switch must not throw the draft away.
  }, [api, channel]);

  const result = useMemo(() => (saved && draft ? patchOf(saved, draft) : null), [saved, draft]);

  if (loadError) return <p role="alert">{loadError}</p>;
  if (!saved || !draft || !result) return <p aria-busy="true">{t.loading}</p>;

  const problemText = (p: ParseProblem) => (p.problem === 'login' ? s.invalidLogin(p.login) : p.problem === 'number' ? s.invalidNumber : s.invalidDuration);
  const errorOf = (key: FieldKey): string | null => {
    if (serverError?.field === key) return serverError.message;
    const problem = result.problems[key];
    return problem && showProblems ? problemText(problem) : null;
  };

  const update = (key: FieldKey, value: string | boolean) => {
    setDraft((old) => (old ? { ...old, [key]: value } : old));
    if (serverError?.field === key) setServerError(null);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!canEdit || busy) return;
    setShowProblems(true);
    if (Object.keys(result.problems).length > 0) {
      const first = Object.keys(result.problems)[0] as FieldKey;
      document.getElementById(inputId(first))?.focus();
      return;
    }
    if (Object.keys(result.patch).length === 0) {
      announce(s.noChanges);
      return;
    }
    setBusy(true);
    setServerError(null);
    try {
      const next = await api.patch<Channel>(`${channelPath(channel)}/settings`, result.patch);
      setSaved(next.settings);
      setDraft(draftOf(next.settings));
      setShowProblems(false);
      announce(s.saved);
    } catch (err) {
      if (err instanceof ApiError && err.status !== 0) {
        const field = fieldOfError(err.field, err.message);
        setServerError({ field, message: err.message });
        // A refusal about one field is shown beside it and focuses it; only one about none goes to the notice.
        if (field) document.getElementById(inputId(field))?.focus();
        else announce(err.message, 'error');
      } else {
        announce(t.errors.network, 'error');
      }
    } finally {
      setBusy(false);
    }
  };

  const undo = () => {
    setDraft(draftOf(saved));
    setServerError(null);
    setShowProblems(false);
  };

  const pending = result.changed.length;
  return (
    <section class="settings-page" aria-labelledby="page-title">
      <h1 id="page-title">{s.pageTitle(channel)}</h1>
      <p class="muted">{s.lead}</p>
      {!canEdit && (
        <p class="warning" id="settings-read-only">
          {s.readOnly}
        </p>
      )}
      <form class="settings-form" onSubmit={(e) => void save(e)} noValidate aria-describedby={canEdit ? undefined : 'settings-read-only'}>
        {serverError && serverError.field === null && (
          <p role="alert" class="error">
            {serverError.message}
          </p>
        )}
        <fieldset class="settings-all" disabled={!canEdit}>
          {SECTIONS.map((section) => (
            <fieldset class="card settings-section" key={section.key}>
              <legend>{s.sections[section.key]}</legend>
              {section.fields.map(({ key, kind }) => (
                <SettingField key={key} field={key} kind={kind} value={draft[key]} error={errorOf(key)} onInput={(v) => update(key, v)} />
              ))}
            </fieldset>
          ))}
        </fieldset>
        {serverError && serverError.field !== null && (
          <p role="alert" class="error">
            {s.refused}
          </p>
        )}
        {canEdit && (
          <div class="settings-bar" data-pending={pending}>
            <span class="muted" aria-live="polite">
              {pending > 0 ? s.unsaved(pending) : ''}
            </span>
            <button type="button" class="btn" disabled={pending === 0 || busy} onClick={undo}>
              {s.reset}
            </button>
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? s.saving : s.save}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}

interface FieldProps {
  field: FieldKey;
  kind: FieldKind;
  value: string | boolean;
  error: string | null;
  onInput(value: string | boolean): void;
}

function SettingField({ field, kind, value, error, onInput }: FieldProps) {
  const { t } = useI18n();
  const text = t.settings.fields[field];
  const id = inputId(field);
  const described = [`${id}-help`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const common = { id, 'aria-describedby': described, 'aria-invalid': error ? true : undefined, name: field };
  const readText = (e: Event) => onInput((e.currentTarget as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value);

  if (kind === 'bool') {
    return (
      <div class="setting setting-bool" data-field={field}>
        <label class="choice" for={id}>
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onInput((e.currentTarget as HTMLInputElement).checked)} />
          <span>{text.label}</span>
        </label>
        <p class="muted setting-help" id={`${id}-help`}>
          {text.help}
        </p>
        {error && (
          <p class="error setting-error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  }
  return (
    <div class="setting" data-field={field}>
      <label for={id}>{text.label}</label>
      {kind === 'locale' ? (
        <select {...common} value={String(value)} onChange={readText}>
          <option value="en">English</option>
          <option value="ko">한국어</option>
        </select>
      ) : kind === 'words' || kind === 'logins' ? (
        <textarea {...common} rows={4} value={String(value)} onInput={readText} spellcheck={false} />
      ) : (
        <input
          {...common}
          type="text"
          value={String(value)}
          onInput={readText}
          autoComplete="off"
          spellcheck={false}
          inputMode={kind === 'int' || kind === 'optionalInt' ? 'numeric' : undefined}
          maxLength={kind === 'text' ? 20 : 40}
        />
      )}
      <p class="muted setting-help" id={`${id}-help`}>
        {text.help}
      </p>
      {error && (
        <p class="error setting-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
