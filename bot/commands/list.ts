import { formatMissionList } from '../i18n/index.js';
import { anyone, type Command } from './types.js';

/** `!missions`: open missions, biggest pots first (the order `missions.active` returns). */
export const listCommand: Command<'list'> = {
  name: 'list',
  canExecute: anyone,
  async execute(_cmd, ctx) {
    const active = await ctx.services.missions.active(ctx.channel);
    const entries = active
      .filter((m) => m.status === 'open')
      .map((m) => ({
        number: m.number,
        text: m.text,
        pot: m.pot,
        timeLeftMs: m.deadline === null ? undefined : Math.max(0, Date.parse(m.deadline) - ctx.now()),
      }));
    const { locale, currencyName } = ctx.channel.settings;
    ctx.replyText(formatMissionList(locale, entries, { currency: currencyName }), 'confirm');
  },
};
