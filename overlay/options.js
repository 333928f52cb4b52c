/**
 * Overlay options from the query string. Everything has a safe default, so a URL pasted with a
 * typo still shows a working board.
 */

const THEMES = { dark: 'dark', light: 'light', contrast: 'contrast', 'high-contrast': 'contrast', hc: 'contrast' };
const POSITIONS = ['top-left', 'top-right', 'bottom-left', 'bottom-right', 'top', 'bottom', 'left', 'right'];
const LOCALES = ['en', 'ko'];
export const HIDEABLE = ['number', 'status', 'text', 'pot', 'backers', 'newest', 'countdown', 'burst', 'banner'];

const clamp = (value, min, max) => Math.min(max, Math.max(min, value));

/** @param {string} search location.search */
export function parseOptions(search) {
  const params = new URLSearchParams(search);
  const theme = THEMES[(params.get('theme') ?? '').toLowerCase()] ?? 'dark';
  const position = POSITIONS.includes((params.get('position') ?? '').toLowerCase())
    ? params.get('position').toLowerCase()
    : 'top-right';
  const scaleRaw = Number.parseFloat(params.get('scale') ?? '');
  const scale = Number.isFinite(scaleRaw) ? clamp(scaleRaw, 0.5, 3) : 1;
  const maxRaw = Number.parseInt(params.get('max') ?? '', 10);
  const max = Number.isFinite(maxRaw) ? clamp(maxRaw, 1, 10) : 3;
  // Seconds a verdict banner stays before the card leaves.
  const bannerRaw = Number.parseFloat(params.get('banner') ?? '');
  const bannerMs = Number.isFinite(bannerRaw) ? clamp(bannerRaw, 1, 30) * 1000 : 6000;
  const localeRaw = (params.get('locale') ?? '').toLowerCase().slice(0, 2);
  const locale = LOCALES.includes(localeRaw) ? localeRaw : null;
  const hide = new Set(
    (params.get('hide') ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => HIDEABLE.includes(part)),
  );
  return { theme, position, scale, max, locale, hide, bannerMs, key: params.get('key') ?? '' };
}

/** Applies the visual options as classes and a CSS variable on the root element. */
export function applyOptions(root, options) {
  root.classList.add(`theme-${options.theme}`, `pos-${options.position}`);
  for (const part of options.hide) root.classList.add(`hide-${part}`);
  root.style.setProperty('--scale', String(options.scale));
}
