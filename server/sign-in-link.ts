/**
 * The dashboard sign-in link of start-up and of `npm run login-link`: a fresh single-use link
 * that signs its holder in as the instance admin. It goes to the person who started the server
 * (the banner, or stdout), never through the logger, so log shipping does not carry it.
 */
import { loginLinkUrl, type SessionService } from './services/sessions.js';
import type { BannerLine } from './startup/banner.js';

export const SIGN_IN_LABEL = 'Sign in';

/** The banner's sign-in line, with a fresh link. */
export async function signInLine(sessions: Pick<SessionService, 'createLoginLink'>, publicUrl: string): Promise<BannerLine> {
  const { code } = await sessions.createLoginLink();
  return {
    section: 'open',
    label: SIGN_IN_LABEL,
    text: loginLinkUrl(publicUrl, code),
    next: 'opens the dashboard as the admin; works once, for 15 minutes (npm run login-link prints another)',
  };
}

/** Prints `Sign in: <url>` with a fresh link; returns the URL. */
export async function printSignInLink(
  sessions: Pick<SessionService, 'createLoginLink'>,
  publicUrl: string,
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<string> {
  const { code } = await sessions.createLoginLink();
  const url = loginLinkUrl(publicUrl, code);
  write(`${SIGN_IN_LABEL}: ${url}\n`);
  return url;
}
