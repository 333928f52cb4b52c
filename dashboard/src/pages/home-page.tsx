/** `/`: how to sign in when signed out; the user's channels, or first-run setup, when signed in. */
import { useState } from 'preact/hooks';
import { useApp } from '../app-context.js';
import { CreateChannel } from '../components/create-channel.js';
import { SetupChecklist } from '../components/setup-checklist.js';
import { useI18n } from '../i18n/index.js';
import { onLinkClick } from '../router.js';

/** `channel`: the board the visitor tried to open (signed out), so a moderator logs in for it. */
export function HomePage({ channel }: { channel?: string } = {}) {
  const { session } = useApp();
  const { t } = useI18n();
  const [created, setCreated] = useState<string | null>(null);

  if (!session.signedIn) {
    return (
      <section class="home" aria-labelledby="home-title">
        <h1 id="home-title">{t.home.title}</h1>
        <p class="lead">{t.home.lead}</p>
        {session.twitchLogin && (
          <div class="card signin">
            <a
              class="btn btn-primary btn-twitch"
              href={channel ? `/auth/twitch?as=moderator&channel=${encodeURIComponent(channel)}` : '/auth/twitch?as=broadcaster'}
            >
              {t.signIn}
            </a>
            <p class="muted">{channel ? t.home.twitchModerator(channel) : t.home.twitchHint}</p>
          </div>
        )}
        <div class="card">
          <h2>{t.home.linkTitle}</h2>
          <ol class="steps">
            <li>
              {t.home.linkSteps[0]} <code>npm run login-link</code>
            </li>
            <li>{t.home.linkSteps[1]}</li>
          </ol>
          <p class="muted">{t.home.linkStart}</p>
        </div>
      </section>
    );
  }

  const name = session.user?.displayName ?? session.user?.login ?? null;
  const manageable = session.channels.filter((c) => c.role === 'owner' || c.role === 'admin');
  return (
    <section class="home" aria-labelledby="home-title">
      <h1 id="home-title">{t.home.channels}</h1>
      <p class="muted">{name ? t.home.signedInAs(name) : t.home.signedInAdmin}</p>
      {session.channels.length > 0 ? (
        <ul class="channel-list">
          {session.channels.map((c) => (
            <li key={c.login} class="card channel-item">
              <a href={`/c/${c.login}`} onClick={onLinkClick} class="channel-link" aria-label={t.home.openBoard(c.login)}>
                <strong>{c.login}</strong>
              </a>
              <span class="chip">{t.roles[c.role]}</span>
              <a href={`/c/${c.login}`} onClick={onLinkClick} class="btn">
                {t.nav.board}
              </a>
              {(c.role === 'owner' || c.role === 'admin') && (
                <a href={`/c/${c.login}/overlay`} onClick={onLinkClick} class="btn">
                  {t.nav.overlay}
                </a>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t.home.noChannels}</p>
      )}
      {session.user?.admin && session.channels.length === 0 && !created && (
        <>
          <CreateChannel onCreated={setCreated} />
          <SetupChecklist channel={null} />
        </>
      )}
      {(created ? [created] : manageable.map((c) => c.login)).map((login) => (
        <SetupChecklist key={login} channel={login} />
      ))}
    </section>
  );
}
