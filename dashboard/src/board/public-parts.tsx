/** Pieces of the public board: the viewer's own panel, the pledge form, the "Public board" link. */
import { useState } from 'preact/hooks';
import type { ViewerMe } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import type { Permission } from './actions.js';

/** The public board offers no mission action: every one is "not yours to do". */
export const ACTIONS_NONE = (): Permission => ({ allowed: false, reason: null });

const AMOUNT = /^(\d{1,13}|all|half|\d{1,3}%)$/i;

/** One mission's pledge form; `onPledge` resolves true when the pledge went through. */
export function PledgeForm({ number, onPledge }: { number: number; onPledge(mission: number, amount: number | string): Promise<boolean> }) {
  const { t } = useI18n();
  const p = t.publicBoard;
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const id = `pledge-${number}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const text = value.trim();
    if (busy) return;
    if (!AMOUNT.test(text)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    // One request per click; the API client gives each its own Idempotency-Key.
    const ok = await onPledge(number, /^\d+$/.test(text) ? Number(text) : text.toLowerCase());
    setBusy(false);
    if (ok) setValue('');
  };
  return (
    <form class="pledge-form" onSubmit={(e) => void submit(e)}>
      <label for={id} class="visually-hidden">
        {p.amount(number)}
      </label>
      <input
        id={id}
        inputMode="numeric"
        autoComplete="off"
        placeholder={p.amountPlaceholder}
        value={value}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={invalid ? `${id}-hint` : undefined}
        onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="btn btn-primary" aria-disabled={busy ? 'true' : undefined}>
        {p.pledge(number)}
      </button>
      {invalid && (
        <p id={`${id}-hint`} class="why" role="alert">
          {p.amountHint}
        </p>
      )}
    </form>
  );
}

interface ViewerPanelProps {
  channel: string;
  me: ViewerMe | null;
  currency: string;
  /** The signed-in user's name, or null when signed out. */
  signedIn: string | null;
  twitchLogin: boolean;
}

/** Signed out: the Twitch sign-in; signed in: the viewer's points and pledges in this channel. */
export function ViewerPanel({ channel, me, currency, signedIn, twitchLogin }: ViewerPanelProps) {
  const { t, pts } = useI18n();
  const p = t.publicBoard;
  if (signedIn === null) {
    if (!twitchLogin) return null;
    return (
      <section class="card viewer-panel" aria-labelledby="you-title">
        <h2 id="you-title">{p.you}</h2>
        <p>{p.signInHint}</p>
        <a class="btn btn-twitch" href={`/auth/twitch?as=viewer&channel=${encodeURIComponent(channel)}`}>
          {t.signIn}
        </a>
      </section>
    );
  }
  return (
    <section class="card viewer-panel" aria-labelledby="you-title">
      <h2 id="you-title">{p.signedInAs(signedIn)}</h2>
      {me && (
        <>
          <dl class="totals">
            <div>
              <dt>{p.balance}</dt>
              <dd class="my-balance" data-value={me.viewer.balance}>
                {pts(me.viewer.balance, currency)}
              </dd>
            </div>
            <div>
              <dt>{p.inEscrow}</dt>
              <dd class="my-escrow" data-value={me.viewer.inEscrow}>
                {pts(me.viewer.inEscrow, currency)}
              </dd>
            </div>
          </dl>
          <h3>{p.yourPledges}</h3>
          {me.pledges.length === 0 ? (
            <p class="muted">{p.noPledges}</p>
          ) : (
            <ul class="my-pledges">
              {me.pledges.map((pl) => (
                <li key={pl.id} data-mission={pl.missionNumber}>
                  #{pl.missionNumber} · {pts(pl.amount, currency)} · <span class="muted">{p.settlement[String(pl.settlement)]}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** The streamer's "Public board" address with a copy button, for the board and overlay pages. */
export function PublicBoardLink({ channel }: { channel: string }) {
  const { t } = useI18n();
  const p = t.publicBoard;
  const [copied, setCopied] = useState(false);
  const url = `${window.location.origin}/p/${channel}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      const field = document.getElementById('public-url') as HTMLInputElement | null;
      field?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div class="public-link">
      <label for="public-url">
        <a href={`/p/${channel}`}>{p.publicLink}</a>
      </label>
      <div class="url-row">
        <input id="public-url" readOnly value={url} aria-describedby="public-url-hint" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button type="button" class="btn" onClick={() => void copy()} aria-label={`${p.copy}: ${p.publicLink}`}>
          {copied ? p.copied : p.copy}
        </button>
      </div>
      <p id="public-url-hint" class="muted">
        {p.publicLinkHint}
      </p>
    </div>
  );
}
