/**
 * The demo chat panel, shown only when the bot talks to the local chat simulator: type as any
 * viewer or moderator and read the bot's replies, next to the board they change.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { useApp } from '../app-context.js';
import type { ChatLine } from '../board/store.js';
import { useI18n } from '../i18n/index.js';

const LOGIN = /^[a-z0-9_]{1,25}$/;

export function DemoChat({ channel, lines }: { channel: string; lines: ChatLine[] }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [login, setLogin] = useState('viewer1');
  const [role, setRole] = useState<'viewer' | 'moderator'>('viewer');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const log = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  const send = async (event: Event) => {
    event.preventDefault();
    const name = login.trim().toLowerCase();
    const message = text.trim();
    if (!LOGIN.test(name) || message === '') return;
    setBusy(true);
    try {
      await api.post('/demo/chat', { channel, login: name, role, text: message });
      setText('');
    } catch (err) {
      announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside class="card demo-chat" aria-labelledby="demo-chat-title">
      <h2 id="demo-chat-title">{t.chat.title}</h2>
      <p class="muted">{t.chat.lead}</p>
      <ol class="chat-log" ref={log} aria-label={t.chat.title} tabIndex={0}>
        {lines.length === 0 && <li class="muted">{t.chat.empty}</li>}
        {lines.map((line) => (
          <li key={line.id} class={line.bot ? 'chat-line is-bot' : 'chat-line'}>
            <span class="chat-name">{line.displayName || line.login}</span>
            {line.bot && <span class="chip">{t.chat.bot}</span>} <span class="chat-text">{line.text}</span>
          </li>
        ))}
      </ol>
      <form class="chat-form" onSubmit={send}>
        <div class="chat-who">
          <label>
            {t.chat.name}
            <input value={login} maxLength={25} autoComplete="off" spellcheck={false} onInput={(e) => setLogin((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <fieldset class="choices">
            <legend>{t.chat.role}</legend>
            <label class="choice">
              <input type="radio" name="chat-role" checked={role === 'viewer'} onChange={() => setRole('viewer')} />
              <span>{t.chat.viewer}</span>
            </label>
            <label class="choice">
              <input type="radio" name="chat-role" checked={role === 'moderator'} onChange={() => setRole('moderator')} />
              <span>{t.chat.moderator}</span>
            </label>
          </fieldset>
        </div>
        <div class="chat-say">
          <label class="visually-hidden" for="chat-text">
            {t.chat.message}
          </label>
          <input id="chat-text" value={text} maxLength={500} autoComplete="off" placeholder={t.chat.empty} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t.chat.send}
          </button>
        </div>
      </form>
    </aside>
  );
}
