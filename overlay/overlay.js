/**
 * Mission Link overlay entry point: reads options from the URL, builds the board and keeps a
 * websocket to /ws/overlay/:channel. Plain ES modules, no build step, nothing from a CDN.
 */

import { createBoard } from './board.js';
import { connectOverlay } from './connection.js';
import { applyOptions, parseOptions } from './options.js';

const options = parseOptions(location.search);
const html = document.documentElement;
applyOptions(html, options);
if (options.locale) html.lang = options.locale;

const root = document.getElementById('board');
const board = createBoard({
  root,
  cardsEl: root.querySelector('.cards'),
  moreEl: root.querySelector('.more-pill'),
  options,
});

const segments = location.pathname.split('/').filter(Boolean);
const channel = segments[segments.length - 1] ?? '';
// Relative to the page, so the overlay also works behind a reverse proxy that adds a prefix.
const wsUrl = new URL(`../ws/overlay/${channel}`, location.href);
wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
wsUrl.search = new URLSearchParams({ key: options.key }).toString();
wsUrl.hash = '';

connectOverlay({
  url: wsUrl.href,
  onMessage: (message) => board.handle(message),
  onUnauthorized: () => board.clear(),
  // For browser tests and for a streamer poking at the page in a normal browser.
  onStatus: (status) => {
    html.dataset.connection = status;
  },
});
