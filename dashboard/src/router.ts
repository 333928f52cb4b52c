/** A tiny history-API router: the dashboard has a handful of paths, not worth a library. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'board'; channel: string }
  | { page: 'overlay'; channel: string }
  | { page: 'not-found' };

// The server's Twitch-login rule (2 to 25 of a-z, 0-9, _); this page cannot import server code.
const CHANNEL = '([a-z0-9_]{2,25})';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
  let m = new RegExp(`^/c/${CHANNEL}$`).exec(path);
  if (m?.[1]) return { page: 'board', channel: m[1] };
  m = new RegExp(`^/c/${CHANNEL}/overlay$`).exec(path);
  if (m?.[1]) return { page: 'overlay', channel: m[1] };
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
