/** One mission on the board: an article named "#<n> <text>" with its figures and its actions. */
import { Component, type ComponentChildren } from 'preact';
import { Countdown } from '../components/countdown.js';
import { useI18n } from '../i18n/index.js';
import { actionsFor, type ActionKind, type Permission } from './actions.js';
import type { BoardMission } from './store.js';

interface MissionCardProps {
  mission: BoardMission;
  currency: string;
  /** Actions the user may see, with their permission; empty for read-only viewers. */
  permissionOf: (mission: BoardMission, action: ActionKind) => Permission;
  canAct: boolean;
  onAction(mission: BoardMission, action: ActionKind): void;
  /** More content at the card's end (the public board's pledge form). */
  footer?: ComponentChildren;
  /** A line under the status (the public board's "awaiting approval"). */
  note?: string;
}

function MissionCardView({ mission, currency, permissionOf, canAct, onAction, footer, note }: MissionCardProps) {
  const { t, n, pts } = useI18n();
  const actions = canAct ? actionsFor(mission) : [];
  const perms = actions.map((a) => [a, permissionOf(mission, a)] as const);
  const reasons = [...new Set(perms.filter(([, p]) => !p.allowed && p.reason).map(([, p]) => p.reason as string))];
  const whyId = `why-${mission.number}`;
  return (
    <article class="mission" aria-label={`#${mission.number} ${mission.text}`} data-number={mission.number} data-status={mission.status}>
      <div class="mission-head">
        <span class="mission-number">#{mission.number}</span>
        <span class={`chip status-${mission.status}`}>{t.status[mission.status]}</span>
        {mission.status === 'open' && mission.deadline && (
          <Countdown until={mission.deadline} from={mission.openedAt} label={t.board.timeLeft} expired={t.board.timeUp} />
        )}
        {mission.status === 'closed' && mission.graceEndsAt && (
          <Countdown until={mission.graceEndsAt} label={t.board.graceLeft} expired={t.board.timeUp} />
        )}
        {mission.status === 'pending' && mission.pendingExpiresAt && (
          <Countdown until={mission.pendingExpiresAt} label={t.board.expiresIn} expired={t.status.rejected} />
        )}
      </div>
      {note && <p class="mission-note">{note}</p>}
      <p class="mission-text">{mission.text}</p>
      <div class="mission-figures">
        <p class="pot">
          <span class="pot-value" data-value={mission.pot}>
            {n(mission.pot)}
          </span>{' '}
          <span class="pot-currency">{currency}</span>
        </p>
        <p class="backers">{t.board.backers(mission.backers, n)}</p>
      </div>
      <p class="muted proposer">{t.board.proposedBy(mission.proposer.displayName)}</p>
      {mission.topBackers && mission.topBackers.length > 0 ? (
        <div class="top-backers">
          <span class="muted">{t.board.topBackers}</span>
          <ol>
            {mission.topBackers.slice(0, 3).map((b) => (
              <li key={b.viewer.userId}>
                {b.viewer.displayName} <span class="muted">{pts(b.amount, currency)}</span>
              </li>
            ))}
          </ol>
        </div>
      ) : (
        mission.newestBacker && (
          <p class="muted newest">
            {t.board.newest}: <span class="newest-name">{mission.newestBacker.displayName}</span>
          </p>
        )
      )}
      {(mission.yourPledge ?? 0) > 0 && <p class="you-pledged">{t.board.you(pts(mission.yourPledge ?? 0, currency))}</p>}
      {actions.length > 0 && (
        <div class="mission-actions">
          {perms.map(([action, p]) => (
            <button
              key={action}
              type="button"
              class={`btn action-${action}${action === 'success' || action === 'approve' ? ' btn-primary' : ''}${action === 'fail' || action === 'reject' ? ' btn-danger' : ''}`}
              aria-disabled={p.allowed ? undefined : 'true'}
              aria-describedby={p.allowed ? undefined : whyId}
              onClick={() => p.allowed && onAction(mission, action)}
            >
              {t.actions[action]}
            </button>
          ))}
        </div>
      )}
      {reasons.length > 0 && (
        <p id={whyId} class="why">
          {reasons.map((r) => t.blocked[r] ?? r).join(' ')}
        </p>
      )}
      {footer}
    </article>
  );
}

/** Re-renders only when one of its props changed (missions are replaced, never mutated). */
export class MissionCard extends Component<MissionCardProps> {
  override shouldComponentUpdate(next: MissionCardProps): boolean {
    const current = this.props;
    return (Object.keys(next) as Array<keyof MissionCardProps>).some((key) => next[key] !== current[key]);
  }

  override render(props: MissionCardProps) {
    return <MissionCardView {...props} />;
  }
}
