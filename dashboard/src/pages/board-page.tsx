/** `/c/<channel>`: the live board — pending, open and recent missions, pause/resume, demo chat. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { openBoardFeed, type FeedState } from '../api/board-feed.js';
import { ApiError, channelPath } from '../api/client.js';
import type { Channel, Mission, Role } from '../api/types.js';
import { useApp } from '../app-context.js';
import { ActionDialog, type ActionInput } from '../board/action-dialog.js';
import { CONFIRMED, permission, type ActionKind } from '../board/actions.js';
import { MissionCard } from '../board/mission-card.js';
import { PublicBoardLink } from '../board/public-parts.js';
import { RecentVerdicts } from '../board/recent-verdicts.js';
import { createBoardStore, sortedActive, type BoardMission } from '../board/store.js';
import { createTicker, TickerContext } from '../components/countdown.js';
import { DemoChat } from '../components/demo-chat.js';
import { useI18n } from '../i18n/index.js';

const CONFLICTS = new Set(['MISSION_NOT_OPEN', 'MISSION_NOT_PENDING', 'INVALID_TRANSITION']);

export function BoardPage({ channel }: { channel: string }) {
  const { api, session, announce } = useApp();
  const i18n = useI18n();
  const { t, n, pts } = i18n;
  const store = useMemo(() => createBoardStore(), []);
  const ticker = useMemo(() => createTicker(() => store.state.clockOffsetMs), [store]);
  const [, setVersion] = useState(0);
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [dialog, setDialog] = useState<{ mission: BoardMission; action: ActionKind } | null>(null);
  const [busy, setBusy] = useState(false);

  const sessionRole: Role | null = session.channels.find((c) => c.login === channel)?.role ?? (session.user?.admin ? 'admin' : null);

  const refreshChannel = useCallback(() => {
    api
      .get<Channel>(channelPath(channel))
      .then((c) => store.setChannel(c))
      .catch(() => undefined);
  }, [api, channel, store]);

  useEffect(() => {
    document.title = `${t.board.title(channel)} — Mission Link`;
  }, [channel, t]);

  useEffect(() => {
    const unsubscribe = store.subscribe(() => setVersion((v) => v + 1));
    refreshChannel();
    const feed = openBoardFeed({
      channel,
      onState: setFeedState,
      onMessage: (message) => {
        store.apply(message);
        // Verdicts move the treasury; the feed's totals win when it carries them.
        if (message.type === 'resolved' && !message.totals) refreshChannel();
      },
    });
    return () => {
      feed.close();
      unsubscribe();
      store.dispose();
      ticker.stop();
    };
  }, [channel, store, ticker, refreshChannel]);

  const state = store.state;
  const info = state.info;
  const totals = state.totals;
  const role = state.role ?? sessionRole;
  const currency = info?.currencyName ?? 'pts';
  const viewer = { role, busy, resolverMustNotHavePledged: info?.resolverMustNotHavePledged ?? true };
  const permissionOf = useCallback(
    (m: BoardMission, a: ActionKind) => permission(m, a, { role, busy, resolverMustNotHavePledged: viewer.resolverMustNotHavePledged }),
    [role, busy, viewer.resolverMustNotHavePledged],
  );

  const act = async (mission: BoardMission, action: ActionKind, input: ActionInput = {}) => {
    setBusy(true);
    try {
      const body = action === 'extend' ? { duration: input.duration ?? '10m' } : input.reason ? { reason: input.reason } : undefined;
      const updated = await api.post<Mission>(`${channelPath(channel)}/missions/${mission.number}/${action}`, body);
      store.upsert(updated);
      setDialog(null);
      announce(outcomeText(updated, action));
      if (action === 'success' || action === 'fail' || action === 'cancel' || action === 'reject') refreshChannel();
    } catch (err) {
      setDialog(null);
      if (err instanceof ApiError && CONFLICTS.has(err.code)) {
        // Someone else got there first: show what happened, from the server.
        const now = await api.get<Mission>(`${channelPath(channel)}/missions/${mission.number}`).catch(() => null);
        if (now) store.upsert(now);
        announce(t.outcome.already(mission.number, t.status[now?.status ?? mission.status]), 'error');
        refreshChannel();
      } else if (err instanceof ApiError && err.code === 'RESOLVER_HAS_PLEDGED') {
        store.upsert({ ...mission, judge: { allowed: false, code: 'PLEDGED', reason: err.message } });
        announce(t.blocked.PLEDGED ?? err.message, 'error');
      } else {
        announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');
      }
    } finally {
      setBusy(false);
    }
  };

  const outcomeText = (m: Mission, action: ActionKind) => {
    const pot = pts(m.pot, currency);
    if (action === 'success') return t.outcome.succeeded(m.number, pot);
    if (action === 'fail') return t.outcome.failed(m.number, m.backers, pot);
    if (action === 'cancel') return t.outcome.cancelled(m.number, pot);
    if (action === 'reject') return t.outcome.rejected(m.number);
    if (action === 'approve') return t.outcome.approved(m.number);
    return t.outcome.extended(m.number);
  };

  // Stable for the cards (they re-render only on their own changes); calls this render's act.
  const actRef = useRef(act);
  actRef.current = act;
  const onAction = useCallback((mission: BoardMission, action: ActionKind) => {
    if (CONFIRMED.has(action)) setDialog({ mission, action });
    else void actRef.current(mission, action);
  }, []);

  const togglePause = async () => {
    if (!info || busy) return;
    setBusy(true);
    try {
      const next = await api.post<Channel>(`${channelPath(channel)}/${info.missionsPaused ? 'resume' : 'pause'}`);
      store.setChannel(next);
    } catch (err) {
      announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');
    } finally {
      setBusy(false);
    }
  };

  // The first painted snapshot: the board is usable. The bench reads this mark.
  const firstPaint = state.snapshots > 0;
  useEffect(() => {
    if (firstPaint && performance.getEntriesByName('board-interactive').length === 0) performance.mark('board-interactive');
  }, [firstPaint]);

  const { pending, open } = sortedActive(state);
  const canAct = role !== null;
  const dialogMission = dialog ? (state.active.get(dialog.mission.number) ?? dialog.mission) : null;

  return (
    <TickerContext.Provider value={ticker}>
      <div class="board" data-feed={feedState} data-seq={state.lastSeq}>
        <div class="board-head">
          <h1>{t.board.title(channel)}</h1>
          <p class={`feed-state feed-${feedState}`} role="status">
            <span class="dot" aria-hidden="true" /> {t.feed[feedState]}
          </p>
        </div>
        {(feedState === 'denied' || feedState === 'signedOut') && (
          <p role="alert">
            {t.feed[feedState]}{' '}
            {feedState === 'signedOut' && (
              <a href="/" class="btn">
                {t.nav.home}
              </a>
            )}
          </p>
        )}
        {info && (
          <div class="board-bar">
            {totals && (
              <dl class="totals">
                <div>
                  <dt>{t.board.treasury}</dt>
                  <dd class="treasury" data-value={totals.treasury}>
                    {pts(totals.treasury, currency)}
                  </dd>
                </div>
                <div>
                  <dt>{t.board.escrow}</dt>
                  <dd class="escrow">{pts(totals.escrow, currency)}</dd>
                </div>
              </dl>
            )}
            <div class="pause">
              <p class={info.missionsPaused ? 'paused-note' : 'muted'}>{info.missionsPaused ? t.board.paused : t.board.accepting}</p>
              {canAct && (
                <button type="button" class="btn" onClick={() => void togglePause()} aria-disabled={busy ? 'true' : undefined}>
                  {info.missionsPaused ? t.board.resume : t.board.pause}
                </button>
              )}
            </div>
          </div>
        )}
        <div class={session.demo ? 'board-columns with-chat' : 'board-columns'}>
          <div class="board-main">
            <section aria-labelledby="pending-title" class="board-section">
              <h2 id="pending-title">
                {t.board.pending} <span class="count">{n(pending.length)}</span>
              </h2>
              {pending.length === 0 ? <p class="muted empty">{t.board.noPending}</p> : null}
              <div class="mission-grid">
                {pending.map((m) => (
                  <MissionCard key={m.number} mission={m} currency={currency} permissionOf={permissionOf} canAct={canAct} onAction={onAction} />
                ))}
              </div>
            </section>
            <section aria-labelledby="open-title" class="board-section">
              <h2 id="open-title">
                {t.board.open} <span class="count">{n(open.length)}</span>
              </h2>
              {open.length === 0 ? <p class="muted empty">{t.board.noOpen}</p> : null}
              <div class="mission-grid">
                {open.map((m) => (
                  <MissionCard key={m.number} mission={m} currency={currency} permissionOf={permissionOf} canAct={canAct} onAction={onAction} />
                ))}
              </div>
            </section>
            <RecentVerdicts missions={state.recent} currency={currency} />
            {canAct && <PublicBoardLink channel={channel} />}
          </div>
          {session.demo && <DemoChat channel={channel} lines={state.chat} />}
        </div>
        {dialog && dialogMission && (
          <ActionDialog
            mission={dialogMission}
            action={dialog.action}
            currency={currency}
            busy={busy}
            onClose={() => setDialog(null)}
            onConfirm={(input) => void act(dialogMission, dialog.action, input)}
          />
        )}
      </div>
    </TickerContext.Provider>
  );
}
