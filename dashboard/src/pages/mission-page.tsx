/**
 * `/c/<channel>/missions/<n>`: one mission — its figures and times, its timeline, its pledges with
 * their settlement, its ledger rows, and "Run again". Who approved, extended or judged comes from
 * the audit trail (`GET …/activity?mission=<n>`) when the server has one; without it the timeline
 * is built from the mission's own times and `resolvedBy`, and says what it cannot show.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { ActivityList, Channel, LedgerRow, Mission, Pledge } from '../api/types.js';
import { useApp } from '../app-context.js';
import { roleIn } from '../history/access.js';
import { dateTime, durationText, personName } from '../history/format.js';
import '../history/history.css';
import { LedgerTable, PledgesTable } from '../history/mission-tables.js';
import { RunAgainDialog, type RunAgainAs } from '../history/run-again-dialog.js';
import { buildTimeline } from '../history/timeline.js';
import { TimelineList } from '../history/timeline-list.js';
import { usePaged } from '../history/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { navigate, onLinkClick } from '../router.js';

type Trail = ActivityList['items'] | null | 'loading';

export function MissionPage({ channel, number }: { channel: string; number: number }) {
  const { api, session, announce } = useApp();
  const { t, n, pts, locale } = useI18n();
  const s = t.history.mission;
  const role = roleIn(session, channel);
  const base = channelPath(channel);
  const [mission, setMission] = useState<Mission | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<Channel | null>(null);
  const [trail, setTrail] = useState<Trail>('loading');
  const [runAgain, setRunAgain] = useState(false);
  const pledges = usePaged<Pledge>(api, (c) => `${base}/missions/${number}/pledges?limit=100${c ? `&cursor=${c}` : ''}`, t.errors.network);
  const ledger = usePaged<LedgerRow>(api, (c) => `${base}/ledger?mission=${number}&limit=100${c ? `&cursor=${c}` : ''}`, t.errors.network);

  useEffect(() => {
    document.title = `#${number} · ${t.history.pageTitle(channel)} — Mission Link`;
  }, [channel, number, t]);

  useEffect(() => {
    api
      .get<Mission>(`${base}/missions/${number}`)
      .then(setMission)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) setMissing(true);
        else setError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network);
      });
    api
      .get<Channel>(base)
      .then(setInfo)
      .catch(() => undefined);
    // The trail is optional: any failure (no such route on this server, no access) means "absent".
    api
      .get<ActivityList>(`${base}/activity?mission=${number}&limit=200`)
      .then((list) => setTrail(list.items))
      .catch(() => setTrail(null));
  }, [api, base, number]);

  if (role === null) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t.history.pageTitle(channel)}</h1>
        <p role="alert">{t.history.noAccess}</p>
      </section>
    );
  }
  const back = (
    <p>
      <a href={`/c/${channel}/missions`} onClick={onLinkClick}>
        ← {s.back}
      </a>
    </p>
  );
  if (missing || error || !mission) {
    return (
      <section aria-labelledby="page-title">
        {back}
        <h1 id="page-title">{missing ? s.notFound(number) : `#${number}`}</h1>
        {error ? <p role="alert">{error}</p> : !missing && <p aria-busy="true">{t.loading}</p>}
      </section>
    );
  }

  const currency = info?.settings.currencyName ?? 'pts';
  const as = runAgainAs(session, role, info);
  const opening = pledges.items[0]?.viewer.userId === mission.proposer.userId ? pledges.items[0]!.amount : (info?.settings.minStake ?? 10);
  const time = (iso: string | null | undefined) => (iso ? <time dateTime={iso}>{dateTime(iso, locale)}</time> : s.none);
  const entries = trail === 'loading' ? [] : buildTimeline({ mission, pledges: pledges.items, allPledges: pledges.complete, trail });

  return (
    <section class="history mission-detail" aria-labelledby="page-title" data-number={mission.number} data-status={mission.status}>
      {back}
      <div class="mission-detail-head">
        <h1 id="page-title">
          #{mission.number} {mission.text}
        </h1>
        <span class={`chip status-${mission.status}`}>{t.status[mission.status]}</span>
      </div>
      <div class="mission-actions">
        <button type="button" class="btn btn-primary" aria-disabled={as ? undefined : 'true'} aria-describedby={as ? undefined : 'run-again-why'} onClick={() => as && setRunAgain(true)}>
          {t.history.runAgain.button}
        </button>
        {!as && info && (
          <p id="run-again-why" class="why">
            {t.history.runAgain.unavailable}
          </p>
        )}
      </div>

      <section class="card" aria-labelledby="summary-title">
        <h2 id="summary-title">{s.summary}</h2>
        <dl class="mission-facts">
          <Fact label={s.pot} value={<span class="fact-pot">{pts(mission.pot, currency)}</span>} />
          <Fact label={s.backers} value={n(mission.backers)} />
          <Fact label={s.proposer} value={mission.proposer.displayName} />
          <Fact label={s.duration} value={mission.durationSeconds === undefined ? s.none : durationText(mission.durationSeconds)} />
          <Fact label={s.createdAt} value={time(mission.createdAt)} />
          <Fact label={s.openedAt} value={time(mission.openedAt)} />
          <Fact label={s.deadline} value={time(mission.deadline)} />
          <Fact label={s.closedAt} value={time(mission.closedAt)} />
          <Fact label={s.resolvedAt} value={time(mission.resolvedAt)} />
          <Fact label={s.resolvedBy} value={mission.resolvedBy ? personName(mission.resolvedBy, t) : s.none} />
          <Fact label={s.reason} value={mission.reason ?? s.none} />
          <Fact label={s.settled} value={mission.settled ? s.settledYes : s.settledNo} />
        </dl>
      </section>

      <section class="card" aria-labelledby="timeline-title" data-trail={trail === 'loading' ? 'loading' : trail === null ? 'absent' : 'present'}>
        <h2 id="timeline-title">{s.timeline}</h2>
        {trail === null && <p class="muted">{s.trailAbsent}</p>}
        {trail === 'loading' || pledges.loading ? <p aria-busy="true">{t.loading}</p> : <TimelineList entries={entries} currency={currency} />}
      </section>

      <PledgesTable paged={pledges} currency={currency} />
      <LedgerTable paged={ledger} currency={currency} names={new Map(pledges.items.map((p) => [p.viewer.userId, p.viewer.displayName]))} />

      {runAgain && as && (
        <RunAgainDialog
          channel={channel}
          mission={mission}
          as={as}
          amount={opening}
          duration={durationText(mission.durationSeconds ?? info?.settings.defaultDuration ?? 1800)}
          onClose={() => setRunAgain(false)}
          onCreated={(created) => {
            setRunAgain(false);
            announce(t.history.runAgain.started(created.number));
            navigate(`/c/${channel}/missions/${created.number}`);
          }}
        />
      )}
    </section>
  );
}

function Fact({ label, value }: { label: string; value: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/**
 * Who "Run again" proposes as. A Twitch session of the streamer or a moderator acts as that chat
 * user, as in chat (the server takes the proposer from the session). An admin session has no chat
 * user: it proposes for the streamer, which needs the streamer's Twitch user id; without it the
 * button explains why it is unavailable.
 */
function runAgainAs(session: ReturnType<typeof useApp>['session'], role: string, info: Channel | null): RunAgainAs | null {
  const user = session.user;
  if (user?.userId && user.login && (role === 'owner' || role === 'moderator')) return { kind: 'self', login: user.login };
  if (role === 'admin' && info?.broadcasterId) {
    return { kind: 'streamer', proposer: { userId: info.broadcasterId, login: info.login, displayName: info.displayName ?? info.login } };
  }
  return null;
}
