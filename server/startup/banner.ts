/**
 * The few lines `npm start` prints first: where to go, what is set up, and what to do next for
 * what is missing. Each role adds its own lines to {@link Banner}; `main` prints them once every
 * role has started. A feature that has a link to show (for example a sign-in link) adds a line with
 * `section: 'open'`, which puts it with the URLs at the top.
 */

export interface BannerLine {
  /** `open`: a place to go (URLs, first); `status`: what is configured (default). */
  section?: 'open' | 'status';
  label: string;
  text: string;
  /** The next step, for something missing or worth knowing. */
  next?: string;
  /** Marks something not set up yet. */
  missing?: boolean;
}

export interface Banner {
  add(...lines: BannerLine[]): void;
  lines(): BannerLine[];
}

export function createBanner(): Banner {
  const all: BannerLine[] = [];
  return {
    add: (...lines) => void all.push(...lines),
    lines: () => [...all.filter((l) => l.section === 'open'), ...all.filter((l) => l.section !== 'open')],
  };
}

/** Plain text for a terminal: a title, then one aligned line per entry, the next step indented under it. */
export function renderBanner(title: string, lines: BannerLine[]): string {
  const width = Math.max(0, ...lines.map((l) => l.label.length)) + 2;
  const out = ['', title, ''];
  for (const line of lines) {
    out.push(`  ${line.missing ? '!' : ' '} ${line.label.padEnd(width)}${line.text}`);
    if (line.next) out.push(`    ${' '.repeat(width)}→ ${line.next}`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
