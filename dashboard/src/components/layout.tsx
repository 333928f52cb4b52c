/** Page frame: skip link, header (brand, channel nav, language, theme, sign-out), main, live region. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Session } from '../api/types.js';
import { useI18n, type Locale } from '../i18n/index.js';
import { onLinkClick, type Route } from '../router.js';
import type { Theme } from '../theme.js';

interface LayoutProps {
  session: Session | null;
  theme: Theme;
  onToggleTheme(): void;
  route: Route;
  notice: { text: string; tone: 'info' | 'error'; id: number } | null;
  onDismissNotice(): void;
  children: ComponentChildren;
}

async function logout(session: Session): Promise<void> {
  await fetch('/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: session.csrfToken ? { 'x-csrf-token': session.csrfToken } : {},
  }).catch(() => undefined);
  window.location.assign('/');
}

export function Layout({ session, theme, onToggleTheme, route, notice, onDismissNotice, children }: LayoutProps) {
  const { t, locale, setLocale } = useI18n();
  const channel = 'channel' in route && route.page !== 'public' && session?.signedIn ? route.channel : null;
  const role = channel ? session?.channels.find((c) => c.login === channel)?.role : undefined;
  const isOwner = role === 'owner' || role === 'admin' || session?.user?.admin === true;
  const current = (page: Route['page'], also?: Route['page']) => (route.page === page || route.page === also ? 'page' : undefined);
  // Confirmations fade after a while; errors stay until dismissed or replaced.
  useEffect(() => {
    if (!notice || notice.tone === 'error') return;
    const timer = setTimeout(onDismissNotice, 10_000);
    return () => clearTimeout(timer);
  }, [notice, onDismissNotice]);
  return (
    <>
      <a class="skip" href="#main">
        {t.skip}
      </a>
      <header class="topbar">
        <a class="brand" href="/" onClick={onLinkClick}>
          <span aria-hidden="true" class="brand-mark">◆</span> Mission Link
        </a>
        {channel && (
          <nav class="channel-nav" aria-label={channel}>
            <a href={`/c/${channel}`} onClick={onLinkClick} aria-current={current('board')}>
              {t.nav.board}
            </a>
            <a href={`/c/${channel}/missions`} onClick={onLinkClick} aria-current={current('missions', 'mission')}>
              {t.nav.missions}
            </a>
            <a href={`/c/${channel}/viewers`} onClick={onLinkClick} aria-current={current('viewers', 'viewer')}>
              {t.nav.viewers}
            </a>
            <a href={`/c/${channel}/activity`} onClick={onLinkClick} aria-current={current('activity')}>
              {t.nav.activity}
            </a>
            <a href={`/c/${channel}/settings`} onClick={onLinkClick} aria-current={current('settings')}>
              {t.nav.settings}
            </a>
            {isOwner && (
              <a href={`/c/${channel}/overlay`} onClick={onLinkClick} aria-current={current('overlay')}>
                {t.nav.overlay}
              </a>
            )}
            {isOwner && (
              <a href={`/c/${channel}/access`} onClick={onLinkClick} aria-current={current('access')}>
                {t.nav.access}
              </a>
            )}
          </nav>
        )}
        <div class="topbar-tools">
          <label class="lang">
            <span class="visually-hidden">{t.language}</span>
            <select value={locale} onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}>
              <option value="en">English</option>
              <option value="ko">한국어</option>
            </select>
          </label>
          <button type="button" class="btn btn-icon" aria-pressed={theme === 'dark'} onClick={onToggleTheme} title={t.darkMode}>
            <span aria-hidden="true">{theme === 'dark' ? '☾' : '☀'}</span>
            <span class="visually-hidden">{t.darkMode}</span>
          </button>
          {session?.signedIn && (
            <button type="button" class="btn btn-quiet" onClick={() => void logout(session)}>
              {t.signOut}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <div class="notice-area" role="status" aria-live="polite">
        {notice && (
          <p key={notice.id} class={`notice notice-${notice.tone}`}>
            <span>{notice.text}</span>
            <button type="button" class="btn btn-quiet" onClick={onDismissNotice} aria-label={t.dismiss}>
              ×
            </button>
          </p>
        )}
      </div>
    </>
  );
}
