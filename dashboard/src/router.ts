/** A tiny history-API router: the dashboard has a handful of paths, not worth a library. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'board'; channel: string }
  | { page: 'overlay'; channel: string }
  | { page: 'missions'; channel: string }
  | { page: 'mission'; channel: string; number: number }
  | { page: 'viewers'; channel: string }
  | { page: 'viewer'; channel: string; login: string }
  | { page: 'settings'; channel: string }
  | { page: 'activity'; channel: string }
  | { page: 'access'; channel: string }
  | { page: 'public'; channel: string }
  | { page: 'not-found' };

/** The pages of one channel that share its navigation. */
export type ChannelPage = Extract<Route, { channel: string }>['page'];

// The server's Twitch-login rule (2 to 25 of a-z, 0-9, _); this page cannot import server code.
const CHANNEL = '([a-z0-9_]{2,25})';

const LOGIN = '([a-z0-9_]{2,25})';
const NUMBER = '([1-9][0-9]{0,8})';
const CHANNEL_PAGES = ['overlay', 'missions', 'viewers', 'settings', 'activity', 'access'] as const;

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
  let m = new RegExp(`^/c/${CHANNEL}$`).exec(path);
  if (m?.[1]) return { page: 'board', channel: m[1] };
  m = new RegExp(`^/p/${CHANNEL}$`).exec(path);
  if (m?.[1]) return { page: 'public', channel: m[1] };
  m = new RegExp(`^/c/${CHANNEL}/missions/#?${NUMBER}$`).exec(path);
  if (m?.[1] && m[2]) return { page: 'mission', channel: m[1], number: Number(m[2]) };
  m = new RegExp(`^/c/${CHANNEL}/viewers/${LOGIN}$`).exec(path.toLowerCase());
  if (m?.[1] && m[2]) return { page: 'viewer', channel: m[1], login: m[2] };
  m = new RegExp(`^/c/${CHANNEL}/(${CHANNEL_PAGES.join('|')})$`).exec(path);
  if (m?.[1] && m[2]) return { page: m[2] as (typeof CHANNEL_PAGES)[number], channel: m[1] };
  return { page: 'not-found' };
}

export function navigate(href: string): void {
  if (href === window.location.pathname) return;
  history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Click handler for in-app links: plain left clicks stay in the page; others behave as links. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href') ?? '/');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}
