/** First run: the admin names the Twitch channel the bot should join. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Channel } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';

const LOGIN = /^[a-zA-Z0-9_]{2,25}$/;

export function CreateChannel({ onCreated }: { onCreated(login: string): void }) {
  const { api, reloadSession } = useApp();
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = login.trim().toLowerCase();
    if (!LOGIN.test(value)) {
      setError(t.create.invalid);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const channel = await api.post<Channel>('/channels', { login: value });
      onCreated(channel.login);
      await reloadSession();
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card create-channel" onSubmit={submit} aria-labelledby="create-title" noValidate>
      <h2 id="create-title">{t.create.title}</h2>
      <p>{t.create.lead}</p>
      <label for="create-login">{t.create.label}</label>
      <input
        id="create-login"
        name="login"
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        value={login}
        onInput={(e) => setLogin((e.currentTarget as HTMLInputElement).value)}
        aria-describedby="create-hint create-error"
        aria-invalid={error ? true : undefined}
      />
      <p id="create-hint" class="muted">
        {t.create.hint}
      </p>
      <p id="create-error" class="error" role={error ? 'alert' : undefined}>
        {error}
      </p>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t.create.submit}
      </button>
    </form>
  );
}
