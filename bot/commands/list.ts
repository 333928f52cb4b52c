import { formatMissionList } from '../i18n/index.js';
import { anyone, type Command } from './types.js';

/**
 * `!missions`: open missions, biggest pots first (the order `missions.active` returns), then those
 * awaiting approval, marked, so a viewer who just proposed one sees it listed. With the channel's
 * `publicBoardLink` on, the reply ends with the public board's address.
 */
export const listCommand: Command<'list'> = {
  name: 'list',
  canExecute: anyone,
  async execute(_cmd, ctx) {
    const active = await ctx.services.missions.active(ctx.channel);
    const entry = (m: (typeof active)[number]) => ({
      number: m.number,
      text: m.text,
      pot: m.pot,
      timeLeftMs: m.deadline === null ? undefined : Math.max(0, Date.parse(m.deadline) - ctx.now()),
      pending: m.status === 'pending',
    });
    const entries = [...active.filter((m) => m.status === 'open'), ...active.filter((m) => m.status === 'pending')].map(entry);
    const { locale, currencyName, publicBoardLink } = ctx.channel.settings;
    const link = publicBoardLink && ctx.publicUrl !== undefined ? `${ctx.publicUrl}/p/${ctx.channel.login}` : undefined;
    ctx.replyText(formatMissionList(locale, entries, { currency: currencyName, link }), 'confirm');
  },
};
