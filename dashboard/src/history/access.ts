/** The signed-in user's role in a channel, as the history pages decide what to show. */
import type { Role, Session } from '../api/types.js';

export function roleIn(session: Session, channel: string): Role | null {
  return session.channels.find((c) => c.login === channel)?.role ?? (session.user?.admin ? 'admin' : null);
}
