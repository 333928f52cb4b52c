/** Dashboard entry: locale, theme, session, then the page for the current path. */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApiClient } from './api/client.js';
import type { Session } from './api/types.js';
import { AppContext, SIGNED_OUT, type AppContextValue } from './app-context.js';
import { Layout } from './components/layout.js';
import { I18nContext, initialLocale, makeI18n, saveLocale, useI18n, type Locale } from './i18n/index.js';
import { BoardPage } from './pages/board-page.js';
import { HomePage } from './pages/home-page.js';
import { OverlayPage } from './pages/overlay-page.js';
import { MissionsPage } from './pages/missions-page.js';
import { MissionPage } from './pages/mission-page.js';
import { ViewersPage } from './pages/viewers-page.js';
import { ViewerPage } from './pages/viewer-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { ActivityPage } from './pages/activity-page.js';
import { AccessPage } from './pages/access-page.js';
import { PublicPage } from './pages/public-page.js';
import { useRoute, type Route } from './router.js';
import { applyTheme, initialTheme, type Theme } from './theme.js';

const api = createApiClient();

function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [theme, setThemeState] = useState<Theme>(initialTheme);
  const [session, setSession] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [notice, setNotice] = useState<{ text: string; tone: 'info' | 'error'; id: number } | null>(null);
  const route = useRoute();

  const setLocale = useCallback((next: Locale) => {
    saveLocale(next);
    setLocaleState(next);
  }, []);
  const i18n = useMemo(() => makeI18n(locale, setLocale), [locale, setLocale]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => applyTheme(theme, false), [theme]);

  const reloadSession = useCallback(async () => {
    try {
      const next = await api.get<Session>('/session');
      api.setCsrf(next.csrfToken);
      setSession(next);
      setLoadError(false);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) setSession(SIGNED_OUT);
      else setLoadError(true);
    }
  }, []);
  useEffect(() => {
    void reloadSession();
  }, [reloadSession]);

  const dismissNotice = useCallback(() => setNotice(null), []);
  const announce = useCallback((text: string, tone: 'info' | 'error' = 'info') => setNotice({ text, tone, id: Date.now() }), []);
  const app = useMemo<AppContextValue | null>(
    () => (session ? { api, session, reloadSession, announce } : null),
    [session, reloadSession, announce],
  );

  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next, true);
    setThemeState(next);
  };

  return (
    <I18nContext.Provider value={i18n}>
      <Layout session={session} theme={theme} onToggleTheme={toggleTheme} route={route} notice={notice} onDismissNotice={dismissNotice}>
        {loadError ? (
          <p role="alert">
            {i18n.t.errors.network}{' '}
            <button type="button" class="btn" onClick={() => void reloadSession()}>
              {i18n.t.retry}
            </button>
          </p>
        ) : !app ? (
          <p aria-busy="true">{i18n.t.loading}</p>
        ) : (
          <AppContext.Provider value={app}>
            <Page route={route} signedIn={app.session.signedIn} />
          </AppContext.Provider>
        )}
      </Layout>
    </I18nContext.Provider>
  );
}

/** The page for a path. Channel pages other than the public board need a signed-in session. */
function Page({ route, signedIn }: { route: Route; signedIn: boolean }) {
  const { t } = useI18n();
  if (route.page === 'home') return <HomePage />;
  if (route.page === 'not-found') return <h1>{t.errors.notFound}</h1>;
  if (route.page === 'public') return <PublicPage key={route.channel} channel={route.channel} />;
  if (!signedIn) return <HomePage channel={route.channel} />;
  const key = route.channel;
  switch (route.page) {
    case 'board':
      return <BoardPage key={key} channel={route.channel} />;
    case 'overlay':
      return <OverlayPage key={key} channel={route.channel} />;
    case 'missions':
      return <MissionsPage key={key} channel={route.channel} />;
    case 'mission':
      return <MissionPage key={`${key}/${route.number}`} channel={route.channel} number={route.number} />;
    case 'viewers':
      return <ViewersPage key={key} channel={route.channel} />;
    case 'viewer':
      return <ViewerPage key={`${key}/${route.login}`} channel={route.channel} login={route.login} />;
    case 'settings':
      return <SettingsPage key={key} channel={route.channel} />;
    case 'activity':
      return <ActivityPage key={key} channel={route.channel} />;
    case 'access':
      return <AccessPage key={key} channel={route.channel} />;
  }
}

const mount = document.getElementById('app');
if (mount) render(<App />, mount);
