/** Small HTML pages a person reads (sign-in results, refusals): escaped text, never cached. */
import type { FastifyReply } from 'fastify';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * These pages echo what a visitor or Twitch sent: no script at all, nothing loaded from anywhere,
 * never framed. Inline style only (attributes cannot run code).
 */
export const AUTH_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `extraHtml` must already be escaped. */
export function htmlPage(reply: FastifyReply, status: number, title: string, body: string, extraHtml = ''): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', AUTH_PAGE_CSP)
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Mission Link</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5">` +
        `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${extraHtml}</body></html>`,
    );
}
