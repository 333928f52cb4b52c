/** Small HTML pages a person reads (sign-in results, refusals): escaped text, never cached. */
import type { FastifyReply } from 'fastify';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** `extraHtml` must already be escaped. */
export function htmlPage(reply: FastifyReply, status: number, title: string, body: string, extraHtml = ''): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Mission Link</title></head>` +
        `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5">` +
        `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${extraHtml}</body></html>`,
    );
}
