/**
 * Pure IRC line helpers for the chat simulator: IRCv3 tag escaping, line formatting and
 * parsing of the few commands a Twitch client sends. No I/O here.
 */

/** One parsed IRC line. `params` includes the trailing parameter (without its colon). */
export interface IrcMessage {
  tags: Record<string, string>;
  prefix: string | null;
  command: string;
  params: string[];
}

/** Values of an IRCv3 tag map, in the order they should appear on the wire. */
export type IrcTags = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;

const TAG_ESCAPES: Record<string, string> = { ';': '\\:', ' ': '\\s', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };
const TAG_UNESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

const NEEDS_ESCAPE = /[; \\\r\n]/;

/** Escapes a tag value per the IRCv3 message-tags spec (Twitch display names can hold spaces). */
export function escapeTagValue(value: string): string {
  // Most values (ids, numbers, colours) need no escape: testing is cheaper than replacing.
  return NEEDS_ESCAPE.test(value) ? value.replace(/[; \\\r\n]/g, (ch) => TAG_ESCAPES[ch] ?? ch) : value;
}

/** Reverses {@link escapeTagValue}; an unknown escape keeps the escaped character. */
export function unescapeTagValue(value: string): string {
  return value.replace(/\\(.?)/g, (_m, ch: string) => (ch === '' ? '' : (TAG_UNESCAPES[ch] ?? ch)));
}

/** `@k=v;k2=v2` (without trailing space), or '' for no tags. */
export function formatTags(tags: IrcTags): string {
  const entries = Array.isArray(tags) ? (tags as ReadonlyArray<readonly [string, string]>) : Object.entries(tags);
  if (entries.length === 0) return '';
  return '@' + entries.map(([k, v]) => `${k}=${escapeTagValue(v)}`).join(';');
}

/**
 * Removes characters that would let a parameter break out of its line. Chat text can never
 * contain CR/LF on Twitch, so the simulator must not be the one to inject a second command.
 */
export function sanitizeTrailing(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}

/** Builds one IRC line (without CRLF). The last param is always sent as a trailing `:param`. */
export function formatLine(parts: {
  tags?: IrcTags;
  prefix?: string;
  command: string;
  params?: readonly string[];
  trailing?: string;
}): string {
  const out: string[] = [];
  const tagText = parts.tags ? formatTags(parts.tags) : '';
  if (tagText) out.push(tagText);
  if (parts.prefix) out.push(`:${parts.prefix}`);
  out.push(parts.command);
  for (const p of parts.params ?? []) out.push(p);
  if (parts.trailing !== undefined) out.push(`:${sanitizeTrailing(parts.trailing)}`);
  return out.join(' ');
}

/** Splits a websocket frame into IRC lines; Twitch batches several lines per frame. */
export function splitFrame(data: string): string[] {
  return data.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

/** Parses one IRC line; returns null for blank or prefix-only lines. */
export function parseLine(line: string): IrcMessage | null {
  let rest = line.replace(/^\s+/, '');
  const tags: Record<string, string> = {};
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ');
    if (space === -1) return null;
    for (const pair of rest.slice(1, space).split(';')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq === -1) tags[pair] = '';
      else tags[pair.slice(0, eq)] = unescapeTagValue(pair.slice(eq + 1));
    }
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  let prefix: string | null = null;
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    if (space === -1) return null;
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1).replace(/^ +/, '');
  }
  const params: string[] = [];
  let command = '';
  const firstSpace = rest.indexOf(' ');
  if (firstSpace === -1) {
    command = rest.trim();
  } else {
    command = rest.slice(0, firstSpace);
    rest = rest.slice(firstSpace + 1);
    while (rest.length > 0) {
      rest = rest.replace(/^ +/, '');
      if (rest.startsWith(':')) {
        params.push(rest.slice(1));
        break;
      }
      const space = rest.indexOf(' ');
      if (space === -1) {
        if (rest) params.push(rest);
        break;
      }
      params.push(rest.slice(0, space));
      rest = rest.slice(space + 1);
    }
  }
  if (!command) return null;
  return { tags, prefix, command: command.toUpperCase(), params };
}

/** `#Foo` / `foo` → `foo`: channel names are compared without the hash and case-insensitively. */
export function channelName(channel: string): string {
  return channel.trim().replace(/^#/, '').toLowerCase();
}

/** `foo` → `#foo`. */
export function channelTarget(channel: string): string {
  return `#${channelName(channel)}`;
}

/** A CTCP ACTION (`/me`) body, or null when the text is a plain message. */
export function actionBody(text: string): string | null {
  const m = /^\u0001ACTION ([^\u0001]*)\u0001$/.exec(text);
  return m ? (m[1] ?? '') : null;
}
