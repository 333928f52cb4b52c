/** A mission's timeline as an ordered list, oldest first (see `buildTimeline`). */
import { useI18n } from '../i18n/index.js';
import { dateTime, personName } from './format.js';
import type { TimelineEntry } from './timeline.js';

export function TimelineList({ entries, currency }: { entries: TimelineEntry[]; currency: string }) {
  const { t, n, pts, locale } = useI18n();
  const e = t.history.events;
  const who = (p: Parameters<typeof personName>[0]) => personName(p, t);
  const text = (entry: TimelineEntry): string => {
    switch (entry.kind) {
      case 'proposed':
        return entry.via ? e.proposedVia(who(entry.who), who(entry.via)) : e.proposed(who(entry.who));
      case 'openedAtOnce':
        return e.openedAtOnce;
      case 'approved':
        return entry.who ? e.approvedBy(who(entry.who)) : e.approved;
      case 'pledge':
        return e.pledge(entry.who.displayName, pts(entry.amount, currency));
      case 'pledges':
        return e.pledgesSummary(entry.backers, pts(entry.total, currency), n);
      case 'extended': {
        const moved = entry.who ? e.extendedBy(who(entry.who)) : e.extended;
        return entry.deadline ? `${moved} ${e.newDeadline(dateTime(entry.deadline, locale))}` : moved;
      }
      case 'closed':
        return e.closed;
      case 'verdict':
        return e[entry.verdict](who(entry.who));
      case 'expired':
        return e.expired;
      case 'timedOut':
        return e.timedOut;
      case 'settled':
        return entry.paid ? e.settledPaid(pts(entry.pot, currency)) : e.settledRefunded(pts(entry.pot, currency));
    }
  };
  return (
    <ol class="timeline">
      {entries.map((entry, i) => (
        <li key={`${entry.kind}-${i}`} data-kind={entry.kind}>
          <time dateTime={entry.at}>{dateTime(entry.at, locale)}</time>
          <span class="timeline-text">{text(entry)}</span>
          {entry.kind === 'verdict' && entry.reason && <span class="muted"> — {e.reason(entry.reason)}</span>}
        </li>
      ))}
    </ol>
  );
}
