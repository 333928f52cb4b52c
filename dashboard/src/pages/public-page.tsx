/**
 * `/p/<channel>`: the public mission board, for anyone, signed in or not. Live from the public
 * feed (pushed, never polled): pending missions marked, open missions with pot, backers,
 * countdown and top backers, the last verdicts. A viewer signed in with Twitch also sees their
 * points and pledges here and may pledge from the page (one Idempotency-Key per click). Nothing
 * here acts on a mission other than a pledge.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { openBoardFeed, type FeedState } from '../api/board-feed.js';
import { ApiError, channelPath } from '../api/client.js';
import type { MePledgeResponse, ViewerMe } from '../api/types.js';
import { useApp } from '../app-context.js';
import { ACTIONS_NONE, PledgeForm, ViewerPanel } from '../board/public-parts.js';
import { MissionCard } from '../board/mission-card.js';
import { RecentVerdicts } from '../board/recent-verdicts.js';
import { createBoardStore, sortedActive } from '../board/store.js';
import { createTicker, TickerContext } from '../components/countdown.js';
import { useI18n } from '../i18n/index.js';

export function PublicPage({ channel }: { channel: string }) {
  const { api, session, announce } = useApp();
  const { t, n, pts } = useI18n();
  const p = t.publicBoard;
  const store = useMemo(() => createBoardStore(), []);
  const ticker = useMemo(() => createTicker(() => store.state.clockOffsetMs), [store]);
  const [, setVersion] = useState(0);
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [me, setMe] = useState<ViewerMe | null>(null);
  const signedInUser = session.signedIn && session.user?.userId ? session.user : null;

  const loadMe = useCallback(() => {
    if (!signedInUser) return;
    api
      .get<ViewerMe>(`${channelPath(channel)}/me`)
      .then(setMe)
      .catch(() => undefined);
  }, [api, channel, signedInUser]);

  useEffect(() => {
    document.title = `${p.heading(channel)} — Mission Link`;
  }, [channel, p]);

  useEffect(() => {
    const unsubscribe = store.subscribe(() => setVersion((v) => v + 1));
    loadMe();
    const feed = openBoardFeed({
      channel,
      feed: 'public',
      onState: setFeedState,
      onMessage: (message) => {
        store.apply(message);
        // A verdict refunds or pays out, and the viewer's own chat pledge spends: their figures follow.
        const backer = (message.newestBacker as { userId?: string } | undefined)?.userId;
        if (message.type === 'resolved' || (message.type === 'pledge' && backer !== undefined && backer === signedInUser?.userId)) loadMe();
      },
    });
    return () => {
      feed.close();
      unsubscribe();
      store.dispose();
      ticker.stop();
    };
  }, [channel, store, ticker, loadMe]);

  const state = store.state;
  const currency = state.info?.currencyName ?? 'pts';

  const pledge = async (mission: number, amount: number | string): Promise<boolean> => {
    try {
      const result = await api.post<MePledgeResponse>(`${channelPath(channel)}/me/pledges`, { mission, amount });
      store.upsert(result.mission);
      announce(p.pledged(mission, pts(result.pledge.amount, currency), pts(result.balance, currency)));
      loadMe();
      return true;
    } catch (err) {
      announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');
      return false;
    }
  };

  if (feedState === 'denied') {
    return (
      <section aria-labelledby="page-title" class="public-board">
        <h1 id="page-title">{p.notFoundTitle}</h1>
        <p role="alert">{p.notFound(channel)}</p>
      </section>
    );
  }

  const { pending, open } = sortedActive(state);
  const canPledge = signedInUser !== null;

  return (
    <TickerContext.Provider value={ticker}>
      <div class="board public-board" data-feed={feedState} data-seq={state.lastSeq}>
        <div class="board-head">
          <h1 id="page-title">{p.heading(channel)}</h1>
          <p class={`feed-state feed-${feedState}`} role="status">
            <span class="dot" aria-hidden="true" /> {t.feed[feedState]}
          </p>
        </div>
        <p class="muted">{p.lead}</p>
        {state.info?.missionsPaused && <p class="paused-note">{t.board.paused}</p>}
        <ViewerPanel channel={channel} me={me} currency={currency} signedIn={signedInUser?.displayName ?? signedInUser?.login ?? null} twitchLogin={session.twitchLogin} />
        <section aria-labelledby="open-title" class="board-section">
          <h2 id="open-title">
            {t.board.open} <span class="count">{n(open.length)}</span>
          </h2>
          {open.length === 0 ? <p class="muted empty">{p.noOpen}</p> : null}
          <div class="mission-grid">
            {open.map((m) => (
              <MissionCard
                key={m.number}
                mission={m}
                currency={currency}
                permissionOf={ACTIONS_NONE}
                canAct={false}
                onAction={() => undefined}
                footer={canPledge && m.status === 'open' ? <PledgeForm number={m.number} onPledge={pledge} /> : undefined}
              />
            ))}
          </div>
        </section>
        {pending.length > 0 && (
          <section aria-labelledby="pending-title" class="board-section">
            <h2 id="pending-title">
              {t.board.pending} <span class="count">{n(pending.length)}</span>
            </h2>
            <div class="mission-grid">
              {pending.map((m) => (
                <MissionCard key={m.number} mission={m} currency={currency} permissionOf={ACTIONS_NONE} canAct={false} onAction={() => undefined} note={p.pendingNote} />
              ))}
            </div>
          </section>
        )}
        <RecentVerdicts missions={state.recent} currency={currency} />
      </div>
    </TickerContext.Provider>
  );
}
