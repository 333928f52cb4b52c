/**
 * The confirmation of a verdict (and of reject, cancel, extend): a modal dialog that says what
 * will happen to the points, takes a reason or a duration where the action has one, and only
 * acts on "Confirm". Escape or "Back" closes it without acting.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';
import { WITH_REASON, type ActionKind } from './actions.js';
import type { BoardMission } from './store.js';

const EXTEND_CHOICES = ['5m', '10m', '30m', '1h'] as const;

export interface ActionInput {
  reason?: string;
  duration?: string;
}

interface ActionDialogProps {
  mission: BoardMission;
  action: ActionKind;
  currency: string;
  busy: boolean;
  onConfirm(input: ActionInput): void;
  onClose(): void;
}

export function ActionDialog({ mission, action, currency, busy, onConfirm, onClose }: ActionDialogProps) {
  const { t, pts } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState<string>('10m');

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const pot = pts(mission.pot, currency);
  const message =
    action === 'success'
      ? t.confirm.success(mission.number, pot)
      : action === 'fail'
        ? t.confirm.fail(mission.number, mission.backers, pot)
        : action === 'cancel'
          ? t.confirm.cancel(mission.number, mission.backers, pot)
          : action === 'reject'
            ? t.confirm.reject(mission.number, pot)
            : t.confirm.extend(mission.number);
  const titleId = `dialog-title-${mission.number}`;

  const submit = (event: Event) => {
    event.preventDefault();
    if (busy) return;
    onConfirm(action === 'extend' ? { duration } : WITH_REASON.has(action) && reason.trim() ? { reason: reason.trim() } : {});
  };

  return (
    <dialog
      ref={ref}
      class="action-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form method="dialog" onSubmit={submit}>
        <h2 id={titleId}>
          {t.actions[action]} · #{mission.number}
        </h2>
        <p class="dialog-mission">{mission.text}</p>
        <p>{message}</p>
        {WITH_REASON.has(action) && (
          <div class="field">
            <label for="action-reason">{t.actions.reason}</label>
            <textarea id="action-reason" rows={2} maxLength={500} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} aria-describedby="action-reason-hint" />
            <p id="action-reason-hint" class="muted">
              {t.actions.reasonHint}
            </p>
          </div>
        )}
        {action === 'extend' && (
          <fieldset class="field choices">
            <legend>{t.actions.extendBy}</legend>
            {EXTEND_CHOICES.map((choice) => (
              <label key={choice} class="choice">
                <input type="radio" name="duration" value={choice} checked={duration === choice} onChange={() => setDuration(choice)} />
                <span>+{choice}</span>
              </label>
            ))}
          </fieldset>
        )}
        <div class="dialog-buttons">
          <button type="button" class="btn" onClick={onClose}>
            {t.actions.back}
          </button>
          <button type="submit" class={`btn ${action === 'fail' || action === 'reject' || action === 'cancel' ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {t.actions.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
