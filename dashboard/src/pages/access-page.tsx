/** API tokens and signed-in sessions of a channel (owner and admin). */
import { useI18n } from '../i18n/index.js';

export function AccessPage({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.access.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
