/** Viewers of a channel: search and leaderboard. */
import { useI18n } from '../i18n/index.js';

export function ViewersPage({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.viewers.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
