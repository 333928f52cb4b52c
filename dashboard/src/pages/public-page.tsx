/** The public board of a channel (no sign-in needed). */
import { useI18n } from '../i18n/index.js';

export function PublicPage({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.publicBoard.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
