/** One mission: timeline, pledges, ledger rows, run again. */
import { useI18n } from '../i18n/index.js';

export function MissionPage({ channel }: { channel: string; number: number }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.history.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
