/** The banner's lines for what this process runs and what is (not yet) set up. */
import { botSetupHint } from './bot-setup-hint.js';
import type { Config } from '../config.js';
import type { BannerLine } from './banner.js';

export interface StartFacts {
  config: Config;
  /** Set when this process serves HTTP. */
  server?: { dashboard: boolean; channels: Array<{ login: string; overlayKey: string }> };
  /** Set when this process runs the bot role. */
  bot?: { running: boolean };
  envFile: string | undefined;
  embedded: { home: string; port: number } | undefined;
  /** This machine's LAN addresses when HOST listens on every interface (OBS on another PC). */
  lanAddresses?: string[];
}

export const overlayUrl = (publicUrl: string, channel: { login: string; overlayKey: string }): string =>
  `${publicUrl}/overlay/${channel.login}?key=${encodeURIComponent(channel.overlayKey)}`;

/** Host and database of a URL, without its credentials. */
function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export function describeStart(facts: StartFacts): BannerLine[] {
  const { config } = facts;
  const base = config.publicUrl;
  const lines: BannerLine[] = [];
  if (facts.server) {
    lines.push(
      facts.server.dashboard
        ? { section: 'open', label: 'Dashboard', text: `${base}/` }
        : { section: 'open', label: 'Dashboard', text: `${base}/ (coming soon)`, next: `until then, the API reference below` },
      { section: 'open', label: 'API reference', text: `${base}/docs` },
    );
    if (facts.server.channels.length === 0) {
      lines.push({
        section: 'open',
        label: 'Overlay',
        text: 'no channel yet',
        missing: true,
        next: facts.server.dashboard
          ? 'open the Sign in link: the dashboard creates it (or npm run channels -- create <your Twitch login>)'
          : 'npm run channels -- create <your Twitch login>   (in a second terminal; or set TWITCH_CHANNELS)',
      });
    }
    for (const channel of facts.server.channels) {
      lines.push({ section: 'open', label: `Overlay ${channel.login}`, text: overlayUrl(base, channel), next: 'OBS: Browser source, 1920 × 1080' });
      // PUBLIC_URL stays http://localhost:… for the Twitch login (Twitch accepts http only for
      // localhost); OBS on another PC reaches this machine by its LAN address instead.
      for (const address of facts.lanAddresses ?? []) {
        lines.push({
          section: 'open',
          label: `  from another PC`,
          text: overlayUrl(`http://${address}:${config.port}`, channel),
          next: 'allow Node.js through the firewall when asked (private networks only)',
        });
      }
    }
  }
  lines.push(
    facts.envFile
      ? { label: 'Settings', text: `loaded ${facts.envFile} (the process environment wins over it)` }
      : { label: 'Settings', text: 'no .env file; defaults and the process environment', next: 'copy .env.example to .env to keep your settings' },
    facts.embedded
      ? { label: 'Database', text: `embedded Postgres on 127.0.0.1:${facts.embedded.port}, data in ${facts.embedded.home}` }
      : { label: 'Database', text: `Postgres at ${describeDatabaseUrl(config.databaseUrl ?? '')}` },
    config.twitch.clientId && config.twitch.clientSecret
      ? { label: 'Twitch app', text: 'configured' }
      : {
          label: 'Twitch app',
          text: 'not set up (chat works with the local simulator: npm run demo)',
          missing: true,
          next: 'README, "Connecting Twitch": TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY',
        },
  );
  if (facts.bot) {
    lines.push(
      facts.bot.running
        ? { label: 'Chat bot', text: `connected${config.twitch.botUsername ? ` as ${config.twitch.botUsername}` : ''}` }
        : { label: 'Chat bot', text: 'not started', missing: true, next: botSetupHint(config) },
    );
  }
  if (!config.adminToken) {
    lines.push({ label: 'Admin API', text: 'off', next: 'set ADMIN_TOKEN (16+ characters) to use the admin endpoints' });
  }
  lines.push({ label: 'Stop', text: 'Ctrl+C (the embedded Postgres stops with it)' });
  return lines;
}
