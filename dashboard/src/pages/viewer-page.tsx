/** One viewer: balance, escrow, pledges, ledger rows, give and take. */
import { useI18n } from '../i18n/index.js';

export function ViewerPage({ channel }: { channel: string; login: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.viewers.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
