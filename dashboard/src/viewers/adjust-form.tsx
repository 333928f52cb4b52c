/**
 * Give or take points: amount and a required reason, checked here first, then a confirmation
 * dialog that says what the balance becomes, and only "Confirm" sends the write. The server's
 * refusal (taking more than the balance, a balance past the limit) is shown beside the field it
 * is about. One idempotency key per confirmation, so a double click or a retry has one effect.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { Viewer } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';

const MAX_REASON = 200;
type Direction = 'give' | 'take';

interface AdjustFormProps {
  channel: string;
  viewer: Viewer;
  currency: string;
  onAdjusted(viewer: Viewer): void;
}

interface FieldErrors {
  amount?: string;
  reason?: string;
  form?: string;
}

const newKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
const codePoints = (s: string) => [...s].length;

export function AdjustForm({ channel, viewer, currency, onAdjusted }: AdjustFormProps) {
  const { api, announce } = useApp();
  const { t, pts } = useI18n();
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState<{ direction: Direction; amount: number; reason: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const check = (direction: Direction) => {
    const next: FieldErrors = {};
    const amount = /^\s*\d{1,13}\s*$/.test(amountText) ? Number(amountText) : NaN;
    if (!Number.isSafeInteger(amount) || amount < 1) next.amount = t.viewers.amountInvalid;
    // The server's text rule: one space between words, nothing invisible.
    const cleaned = reason.replace(/\s+/g, ' ').trim();
    if (cleaned === '') next.reason = t.viewers.reasonRequired;
    else if (codePoints(cleaned) > MAX_REASON) next.reason = t.viewers.reasonTooLong;
    setErrors(next);
    if (next.amount || next.reason) {
      document.getElementById(next.amount ? 'adjust-amount' : 'adjust-reason')?.focus();
      return;
    }
    setPending({ direction, amount, reason: cleaned, key: newKey() });
  };

  const send = async () => {
    if (!pending || busy) return;
    setBusy(true);
    try {
      const updated = await api.post<Viewer>(
        `${channelPath(channel)}/viewers/${encodeURIComponent(viewer.login)}/${pending.direction}`,
        { amount: pending.amount, reason: pending.reason },
        { idempotencyKey: pending.key },
      );
      const amount = pts(pending.amount, currency);
      announce(pending.direction === 'give' ? t.viewers.gave(amount, updated.displayName) : t.viewers.took(amount, updated.displayName));
      setPending(null);
      setAmountText('');
      setReason('');
      setErrors({});
      onAdjusted(updated);
    } catch (err) {
      setPending(null);
      const message = err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network;
      const code = err instanceof ApiError ? err.code : '';
      const field: keyof FieldErrors =
        code === 'INSUFFICIENT_FUNDS' || code === 'BALANCE_LIMIT' || /amount/.test(message) ? 'amount' : /reason/.test(message) ? 'reason' : 'form';
      setErrors({ [field]: message });
      if (field !== 'form') document.getElementById(field === 'amount' ? 'adjust-amount' : 'adjust-reason')?.focus();
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (id: string, error: string | undefined, hint?: string) => [hint, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

  return (
    <section class="card adjust" aria-labelledby="adjust-title">
      <h2 id="adjust-title">{t.viewers.adjust}</h2>
      <p class="muted">{t.viewers.adjustLead}</p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
          check(submitter?.value === 'take' ? 'take' : 'give');
        }}
      >
        <div class="field">
          <label for="adjust-amount">{t.viewers.amount}</label>
          <input
            id="adjust-amount"
            name="amount"
            inputMode="numeric"
            autoComplete="off"
            value={amountText}
            aria-invalid={errors.amount ? 'true' : undefined}
            aria-describedby={describedBy('adjust-amount', errors.amount)}
            onInput={(e) => setAmountText((e.currentTarget as HTMLInputElement).value)}
          />
          {errors.amount && (
            <p id="adjust-amount-error" class="error field-error" data-field="amount">
              {errors.amount}
            </p>
          )}
        </div>
        <div class="field">
          <label for="adjust-reason">{t.viewers.reason}</label>
          <input
            id="adjust-reason"
            name="reason"
            type="text"
            autoComplete="off"
            value={reason}
            maxLength={MAX_REASON * 2}
            required
            aria-required="true"
            aria-invalid={errors.reason ? 'true' : undefined}
            aria-describedby={describedBy('adjust-reason', errors.reason, 'adjust-reason-hint')}
            onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
          />
          <p id="adjust-reason-hint" class="muted">
            {t.viewers.reasonHint}
          </p>
          {errors.reason && (
            <p id="adjust-reason-error" class="error field-error" data-field="reason">
              {errors.reason}
            </p>
          )}
        </div>
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        <div class="adjust-buttons">
          <button type="submit" class="btn btn-primary" name="direction" value="give">
            {t.viewers.give}
          </button>
          <button type="submit" class="btn btn-danger" name="direction" value="take">
            {t.viewers.take}
          </button>
        </div>
      </form>
      {pending && (
        <ConfirmAdjust
          viewer={viewer}
          currency={currency}
          direction={pending.direction}
          amount={pending.amount}
          reason={pending.reason}
          busy={busy}
          onClose={() => setPending(null)}
          onConfirm={() => void send()}
        />
      )}
    </section>
  );
}

interface ConfirmProps {
  viewer: Viewer;
  currency: string;
  direction: Direction;
  amount: number;
  reason: string;
  busy: boolean;
  onConfirm(): void;
  onClose(): void;
}

function ConfirmAdjust({ viewer, currency, direction, amount, reason, busy, onConfirm, onClose }: ConfirmProps) {
  const { t, pts } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const shown = pts(amount, currency);
  const after = direction === 'give' ? viewer.balance + amount : viewer.balance - amount;
  return (
    <dialog
      ref={ref}
      class="action-dialog"
      aria-labelledby="adjust-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onConfirm();
        }}
      >
        <h2 id="adjust-dialog-title">
          {direction === 'give' ? t.viewers.confirmGive(shown, viewer.displayName) : t.viewers.confirmTake(shown, viewer.displayName)}
        </h2>
        {after >= 0 && <p>{t.viewers.confirmBalance(pts(viewer.balance, currency), pts(after, currency))}</p>}
        <p class="dialog-reason">{t.viewers.confirmReason(reason)}</p>
        <div class="dialog-buttons">
          <button type="button" class="btn" onClick={onClose}>
            {t.actions.back}
          </button>
          <button type="submit" class={`btn ${direction === 'take' ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {t.actions.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
