/**
 * The mission board: applies protocol messages to cards, orders and limits them, runs the
 * countdowns, bursts and verdict banners. Keeps whatever it shows while the socket reconnects.
 */

import { createCardView, renderCard, renderCountdown, showBanner } from './card.js';
import { numberFormatter, stringsFor } from './i18n.js';

const BOARD_STATUSES = ['open', 'closed', 'pending'];
const LEAVE_MS = 450;
const BURST_HOLD_MS = 1_800;
/** A burst that keeps growing is restarted after this, so the number stays readable. */
const BURST_MAX_MS = 4_000;
const POT_TWEEN_MS = 450;
const TICK_MS = 500;

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;

export function createBoard({ root, cardsEl, moreEl, options }) {
  /** @type {Map<number, any>} */
  const cards = new Map();
  let ctx = { t: stringsFor(options.locale ?? 'en'), fmt: numberFormatter(options.locale ?? 'en'), currencyName: 'pts' };
  let clockOffset = 0;
  const serverNow = () => Date.now() + clockOffset;

  const setServerTime = (iso) => {
    const parsed = Date.parse(iso);
    if (Number.isFinite(parsed)) clockOffset = parsed - Date.now();
  };

  const group = (status) => (status === 'pending' ? 1 : 0);

  const layout = () => {
    const active = [...cards.values()].filter((card) => !card.leaving);
    active.sort((a, b) => a.group - b.group || a.number - b.number);
    let shown = 0;
    let hidden = 0;
    for (const card of active) {
      const visible = card.resolving || shown < options.max;
      if (visible && !card.resolving) shown += 1;
      if (!visible) hidden += 1;
      card.view.root.hidden = !visible;
    }
    // Reorder only when needed: moving nodes restarts their animations.
    const current = [...cardsEl.children].filter((node) => !node.classList.contains('is-leaving'));
    if (current.some((node, i) => node !== active[i]?.view.root)) {
      for (const card of active) cardsEl.append(card.view.root);
    }
    const showMore = () => {
      moreEl.hidden = hidden === 0;
      moreEl.textContent = hidden === 0 ? '' : ctx.t.more(hidden);
    };
    showMore();
    root.hidden = cards.size === 0;
    // A large scale or long texts can make the board taller than the canvas; drop cards from
    // the end (into "+N more") rather than letting OBS crop the board.
    const limit = room();
    const shownCards = active.filter((card) => !card.resolving && !card.view.root.hidden);
    while (!root.hidden && shownCards.length > 1 && root.getBoundingClientRect().height > limit) {
      shownCards.pop().view.root.hidden = true;
      hidden += 1;
      showMore();
    }
  };

  const room = () => {
    const style = getComputedStyle(document.body);
    return window.innerHeight - Number.parseFloat(style.paddingTop) - Number.parseFloat(style.paddingBottom);
  };

  const setPot = (card, pot, animate) => {
    cancelAnimationFrame(card.potFrame);
    const from = card.displayedPot;
    card.displayedPot = pot;
    if (!animate || from === pot || reducedMotion()) {
      card.view.potValue.textContent = ctx.fmt(pot);
      return;
    }
    const started = performance.now();
    const step = (time) => {
      const progress = Math.min(1, (time - started) / POT_TWEEN_MS);
      const eased = 1 - (1 - progress) ** 3;
      card.view.potValue.textContent = ctx.fmt(Math.round(from + (pot - from) * eased));
      if (progress < 1) card.potFrame = requestAnimationFrame(step);
    };
    card.potFrame = requestAnimationFrame(step);
    restartAnimation(card.view.root, 'pot-bumped');
  };

  const restartAnimation = (node, className) => {
    node.classList.remove(className);
    void node.offsetWidth; // reflow, so re-adding the class starts the animation again
    node.classList.add(className);
  };

  const ensureCard = (mission) => {
    let card = cards.get(mission.number);
    if (card === undefined) {
      const view = createCardView(mission.number);
      card = { number: mission.number, view, mission, group: group(mission.status), displayedPot: mission.pot, potFrame: 0, burst: null, resolving: false, leaving: false };
      cards.set(mission.number, card);
      view.potValue.textContent = ctx.fmt(mission.pot);
      cardsEl.append(view.root);
    }
    return card;
  };

  const leave = (card, animate = true) => {
    if (card.leaving) return;
    card.leaving = true;
    clearTimeout(card.leaveTimer);
    clearTimeout(card.burst?.timer);
    cancelAnimationFrame(card.potFrame);
    const node = card.view.root;
    const remove = () => {
      node.remove();
      if (cards.get(card.number) === card) cards.delete(card.number);
      layout();
    };
    if (!animate || node.hidden || reducedMotion()) {
      remove();
      return;
    }
    // Fix the height first so the collapse can transition from a number to zero.
    node.style.height = `${node.offsetHeight}px`;
    void node.offsetWidth;
    node.classList.add('is-leaving');
    setTimeout(remove, LEAVE_MS);
  };

  const upsert = (mission) => {
    const existing = cards.get(mission.number);
    if (existing?.resolving || existing?.leaving) return;
    if (!BOARD_STATUSES.includes(mission.status)) {
      if (existing) leave(existing);
      return;
    }
    const card = ensureCard(mission);
    card.mission = mission;
    card.group = group(mission.status);
    renderCard(card.view, mission, ctx);
    setPot(card, mission.pot, existing !== undefined);
    renderCountdown(card.view, mission, serverNow(), ctx.t);
  };

  const showBurst = (card, message) => {
    if (options.hide.has('burst')) return;
    const now = Date.now();
    let burst = card.burst;
    if (burst && now - burst.startedAt < BURST_MAX_MS) {
      burst.backers += message.newBackers;
      burst.amount += message.amount;
      clearTimeout(burst.timer);
      restartAnimation(card.view.burst, 'is-bumped');
    } else {
      clearTimeout(burst?.timer);
      burst = card.burst = { startedAt: now, backers: message.newBackers, amount: message.amount, timer: 0 };
      card.view.burst.classList.remove('is-bumped');
      card.view.burst.classList.add('is-visible');
    }
    card.view.burst.textContent =
      burst.backers > 0 ? ctx.t.burstBackers(burst.backers, ctx.fmt) : ctx.t.burstAmount(ctx.fmt(burst.amount), ctx.currencyName);
    burst.timer = setTimeout(() => {
      card.view.burst.classList.remove('is-visible', 'is-bumped');
      if (card.burst === burst) card.burst = null;
    }, BURST_HOLD_MS);
  };

  const onPledge = (message) => {
    const card = cards.get(message.missionNumber);
    if (!card || card.resolving || card.leaving) return;
    card.mission = { ...card.mission, pot: message.pot, backers: message.backers, newestBacker: message.newestBacker };
    renderCard(card.view, card.mission, ctx);
    setPot(card, message.pot, true);
    showBurst(card, message);
  };

  const onResolved = (message) => {
    const mission = message.mission;
    const existing = cards.get(mission.number);
    if (existing?.resolving || existing?.leaving) return;
    if (options.hide.has('banner')) {
      if (existing) leave(existing);
      return;
    }
    // A verdict for a card we never showed still deserves its moment on stream.
    let card = existing;
    if (card === undefined) {
      card = ensureCard(mission);
      renderCard(card.view, { ...mission, status: 'open' }, ctx);
    }
    card.resolving = true;
    card.mission = mission;
    clearTimeout(card.burst?.timer);
    card.view.burst.classList.remove('is-visible');
    const kind = message.outcome === 'failed' && message.cause === 'expired' ? 'expired' : message.outcome;
    const pot = `${ctx.fmt(mission.pot)}`;
    const detail =
      message.outcome === 'succeeded'
        ? ctx.t.paid(pot, ctx.currencyName)
        : ctx.t.refunded(mission.backers, pot, ctx.currencyName);
    const title = `#${mission.number} ${ctx.t[kind] ?? kind}`;
    showBanner(card.view, kind === 'succeeded' ? 'succeeded' : kind, title, detail);
    card.leaveTimer = setTimeout(() => leave(card), options.bannerMs);
    layout();
  };

  const onSnapshot = (message) => {
    setServerTime(message.serverTime);
    const locale = options.locale ?? (message.locale === 'ko' ? 'ko' : 'en');
    document.documentElement.lang = locale;
    ctx = { t: stringsFor(locale), fmt: numberFormatter(locale), currencyName: message.currencyName || 'pts' };
    const incoming = new Set();
    for (const mission of message.missions ?? []) {
      incoming.add(mission.number);
      upsert(mission);
    }
    // Missions resolved while we were away leave quietly; their banner moment has passed.
    for (const card of [...cards.values()]) {
      if (!incoming.has(card.number) && !card.resolving) leave(card);
    }
    layout();
  };

  const tick = () => {
    const now = serverNow();
    for (const card of cards.values()) {
      if (!card.resolving && !card.leaving) renderCountdown(card.view, card.mission, now, ctx.t);
    }
  };
  setInterval(tick, TICK_MS);
  window.addEventListener('resize', () => layout());

  return {
    /** Applies one server message. */
    handle(message) {
      switch (message.type) {
        case 'snapshot':
          onSnapshot(message);
          return;
        case 'mission':
          if (message.mission && typeof message.mission.number === 'number') upsert(message.mission);
          break;
        case 'pledge':
          onPledge(message);
          break;
        case 'resolved':
          if (message.mission && typeof message.mission.number === 'number') onResolved(message);
          break;
        case 'pong':
          setServerTime(message.serverTime);
          return;
        default:
          return;
      }
      layout();
    },
    /** Removes everything at once (the key was rejected). */
    clear() {
      for (const card of [...cards.values()]) leave(card, false);
      layout();
    },
  };
}
