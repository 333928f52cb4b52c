/**
 * "Run again": a new mission from an old one's text, opening amount and time limit, prefilled and
 * editable, created only on "Confirm". One idempotency key per request body within an opened
 * dialog, so a double click or a retried request creates one mission. Who proposes is decided by the page (`RunAgainAs`).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { Mission, ViewerRef } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';

/** Who the new mission is proposed by: the signed-in chat user, or (for the admin) the streamer. */
export type RunAgainAs = { kind: 'self'; login: string } | { kind: 'streamer'; proposer: ViewerRef };

interface RunAgainDialogProps {
  channel: string;
  mission: Mission;
  as: RunAgainAs;
  amount: number;
  duration: string;
  onClose(): void;
  onCreated(mission: Mission): void;
}

const newKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export function RunAgainDialog({ channel, mission, as, amount: initialAmount, duration: initialDuration, onClose, onCreated }: RunAgainDialogProps) {
  const { api } = useApp();
  const { t } = useI18n();
  const s = t.history.runAgain;
  const ref = useRef<HTMLDialogElement>(null);
  // One key per request body: a retry of the same request replays it, an edited one is a new request.
  const keys = useRef(new Map<string, string>());
  const [text, setText] = useState(mission.text);
  const [amount, setAmount] = useState(String(initialAmount));
  const [duration, setDuration] = useState(initialDuration);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const points = Number(amount);
    const body = {
      text: text.trim(),
      amount: Number.isSafeInteger(points) && points > 0 ? points : amount,
      duration: duration.trim(),
      ...(as.kind === 'streamer' ? { proposer: as.proposer } : {}),
    };
    try {
      const signature = JSON.stringify(body);
      const key = keys.current.get(signature) ?? newKey();
      keys.current.set(signature, key);
      const created = await api.post<Mission>(`${channelPath(channel)}/missions`, body, { idempotencyKey: key });
      onCreated(created);
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network);
      setBusy(false);
    }
  };

  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <dialog
      ref={ref}
      class="action-dialog"
      aria-labelledby="run-again-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form method="dialog" class="run-again-form" onSubmit={(e) => void submit(e)}>
        <h2 id="run-again-title">{s.title(mission.number)}</h2>
        <p>{s.lead}</p>
        <p class="muted run-again-hint">{as.kind === 'self' ? s.asYou(as.login) : s.asStreamer(as.proposer.login)}</p>
        <div class="field">
          <label for="run-again-text">{s.text}</label>
          <textarea id="run-again-text" rows={2} maxLength={200} required value={text} onInput={(e) => setText(value(e))} />
        </div>
        <div class="field">
          <label for="run-again-amount">{s.amount}</label>
          <input id="run-again-amount" type="number" min={1} step={1} inputMode="numeric" required value={amount} onInput={(e) => setAmount(value(e))} />
        </div>
        <div class="field">
          <label for="run-again-duration">{s.duration}</label>
          <input id="run-again-duration" type="text" required value={duration} aria-describedby="run-again-duration-hint" onInput={(e) => setDuration(value(e))} />
          <p id="run-again-duration-hint" class="muted">
            {s.durationHint}
          </p>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="button" class="btn" onClick={onClose}>
            {t.actions.back}
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t.actions.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
