/** Channel settings form (owner and admin; moderators read-only). */
import { useI18n } from '../i18n/index.js';

export function SettingsPage({ channel }: { channel: string }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t.settings.title}</h1>
      <p>{channel}</p>
    </section>
  );
}
