/**
 * The start-up sign-in line: a fresh single-use link to the dashboard as the instance admin,
 * printed on stdout for the person who started the server (not through the logger, so log
 * shipping does not carry a credential, even a short-lived one).
 */
import { loginLinkUrl, type SessionService } from './services/sessions.js';

export async function printSignInLink(
  sessions: Pick<SessionService, 'createLoginLink'>,
  publicUrl: string,
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<string> {
  const { code } = await sessions.createLoginLink();
  const url = loginLinkUrl(publicUrl, code);
  write(`Sign in: ${url}\n`);
  return url;
}
