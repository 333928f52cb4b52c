/** What every page gets: the API client, the session, and a way to announce results. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { Session } from './api/types.js';

export interface AppContextValue {
  api: ApiClient;
  session: Session;
  reloadSession(): Promise<void>;
  /** Shows a short message in the page's live region (read by screen readers). */
  announce(text: string, tone?: 'info' | 'error'): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext.Provider>');
  return value;
}

export const SIGNED_OUT: Session = { signedIn: false, user: null, channels: [], csrfToken: null, twitchLogin: false, demo: false };
