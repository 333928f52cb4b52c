/** The setup checklist of one channel: each item done or not, with its next step. */
import { useEffect, useState } from 'preact/hooks';
import type { SetupItem } from '../api/types.js';
import { channelPath } from '../api/client.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';

/** The checklist of one channel, or (no channel) the first-run list of the instance. */
export function SetupChecklist({ channel }: { channel: string | null }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [items, setItems] = useState<SetupItem[] | null>(null);

  useEffect(() => {
    let live = true;
    api
      .get<{ items: SetupItem[] }>(channel === null ? '/setup' : `${channelPath(channel)}/setup`)
      .then((body) => live && setItems(body.items))
      .catch(() => live && setItems([]));
    return () => {
      live = false;
    };
  }, [api, channel]);

  if (!items || items.length === 0) return null;
  const allDone = items.every((i) => i.ok);
  return (
    <section class="card checklist" aria-labelledby={`setup-${channel ?? 'instance'}`}>
      <h2 id={`setup-${channel ?? 'instance'}`}>
        {t.setup.title}
        {channel === null ? '' : ` · ${channel}`}
      </h2>
      {allDone && <p>{t.setup.allDone}</p>}
      <ul>
        {items.map((item) => (
          <li key={item.id} class={item.ok ? 'is-done' : 'is-todo'} data-item={item.id}>
            <span class="check" aria-hidden="true">
              {item.ok ? '✓' : '○'}
            </span>
            <div>
              <strong>{t.setup.items[`${item.id}:${item.ok}`] ?? item.title}</strong>{' '}
              <span class={`chip ${item.ok ? 'chip-ok' : 'chip-todo'}`}>{item.ok ? t.setup.done : t.setup.todo}</span>
              {!item.ok && (
                <p class="muted">
                  <span class="visually-hidden">{t.setup.next}: </span>
                  {item.detail}
                </p>
              )}
              {!item.ok && item.action && <ChecklistAction action={item.action} />}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ChecklistAction({ action }: { action: NonNullable<SetupItem['action']> }) {
  const internal = action.href.startsWith('/c/') || action.href === '/';
  // The one write (create the channel) is the form on this page.
  if (action.method && action.method !== 'GET') return null;
  return (
    <a class="btn" href={action.href} onClick={internal ? onLinkClick : undefined}>
      {action.label}
    </a>
  );
}
