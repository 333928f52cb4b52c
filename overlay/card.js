/**
 * One mission card's DOM. Every piece of mission data goes in through textContent: mission text
 * is chat input and must never become markup.
 */

import { formatClock } from './i18n.js';

const URGENT_MS = 60_000;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Builds an empty card for mission `number`; returns the nodes later updates touch. */
export function createCardView(number) {
  const root = el('article', 'mission-card');
  root.dataset.number = String(number);
  root.setAttribute('data-testid', 'mission-card');

  const body = el('div', 'card-body');
  const head = el('header', 'card-head');
  const numberBadge = el('span', 'mission-number', `#${number}`);
  const chip = el('span', 'status-chip');
  const chipLabel = el('span', 'status-label');
  chip.append(el('span', 'status-dot'), chipLabel);
  head.append(numberBadge, chip);

  const text = el('p', 'mission-text');
  text.setAttribute('data-testid', 'mission-text');

  const potRow = el('div', 'pot-row');
  const pot = el('div', 'pot');
  pot.setAttribute('data-testid', 'pot');
  const potValue = el('span', 'pot-value');
  const currency = el('span', 'currency');
  pot.append(potValue, currency);
  const burst = el('div', 'burst');
  burst.setAttribute('data-testid', 'burst');
  burst.setAttribute('aria-hidden', 'true');
  potRow.append(pot, burst);

  const meta = el('div', 'meta-row');
  const backers = el('span', 'backers');
  backers.setAttribute('data-testid', 'backers');
  const backersCount = el('b', 'backers-count');
  const backersLabel = el('span', 'backers-label');
  backers.append(el('span', 'icon icon-users'), backersCount, backersLabel);
  const newest = el('span', 'newest');
  const newestLabel = el('span', 'newest-label');
  const newestName = el('span', 'newest-name');
  newest.append(newestLabel, newestName);
  meta.append(backers, newest);

  const countdown = el('div', 'countdown');
  countdown.setAttribute('data-testid', 'countdown');
  countdown.setAttribute('role', 'timer');
  const track = el('div', 'countdown-track');
  const fill = el('div', 'countdown-fill');
  track.append(fill);
  const countdownText = el('span', 'countdown-text');
  countdown.append(track, countdownText);

  body.append(head, text, potRow, meta, countdown);
  root.append(body);
  return { root, text, chipLabel, potValue, currency, burst, backersCount, backersLabel, newest, newestLabel, newestName, countdown, fill, countdownText };
}

/** Writes everything but the pot value (tweened by the board) and the countdown. */
export function renderCard(view, mission, ctx) {
  const { t } = ctx;
  view.root.dataset.status = mission.status;
  view.root.classList.toggle('is-pending', mission.status === 'pending');
  view.root.classList.toggle('is-closed', mission.status === 'closed');
  view.chipLabel.textContent = t[mission.status] ?? mission.status;
  if (view.text.textContent !== mission.text) view.text.textContent = mission.text;
  view.text.title = mission.text;
  view.currency.textContent = ctx.currencyName;
  view.backersCount.textContent = ctx.fmt(mission.backers);
  view.backersLabel.textContent = t.backers(mission.backers);
  const newest = mission.newestBacker;
  view.newest.hidden = !newest;
  if (newest) {
    view.newestLabel.textContent = t.newest;
    view.newestName.textContent = newest.displayName || newest.login;
  }
}

/** Drains the bar toward the deadline; red in the last minute. `nowMs` is server time. */
export function renderCountdown(view, mission, nowMs, t) {
  let fraction = 0;
  let label;
  let urgent = false;
  if (mission.status === 'pending') {
    label = t.awaitingApproval;
  } else if (mission.status !== 'open' || !mission.deadline) {
    label = t.awaitingVerdict;
  } else {
    const deadline = Date.parse(mission.deadline);
    const start = Date.parse(mission.openedAt ?? mission.createdAt);
    const remaining = deadline - nowMs;
    const total = deadline - start;
    fraction = total > 0 ? Math.min(1, Math.max(0, remaining / total)) : 0;
    label = formatClock(remaining);
    urgent = remaining <= URGENT_MS;
  }
  view.countdown.classList.toggle('is-urgent', urgent);
  view.countdown.classList.toggle('is-static', mission.status !== 'open');
  view.fill.style.transform = `scaleX(${fraction.toFixed(4)})`;
  if (view.countdownText.textContent !== label) view.countdownText.textContent = label;
}

/** Swaps the card's content for a verdict banner. */
export function showBanner(view, kind, title, detail) {
  const banner = el('div', `banner banner-${kind}`);
  banner.setAttribute('data-testid', 'banner');
  banner.setAttribute('role', 'status');
  const icon = el('span', `banner-icon icon-${kind === 'succeeded' ? 'trophy' : 'refund'}`);
  const words = el('div', 'banner-words');
  words.append(el('strong', 'banner-title', title), el('span', 'banner-detail', detail));
  banner.append(icon, words);
  view.root.append(banner);
  view.root.classList.add('is-resolved', `outcome-${kind}`);
}
