/** Missions history of a channel. */
import { useI18n } from '../i18n/index.js';

export function MissionsPage({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.history.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
