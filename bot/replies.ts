/** Rendering replies in a channel's locale and currency. Pure. */
import { translate, type LooseParams, type MessageKey } from './i18n/index.js';
import type { Channel } from '../server/services/channels.js';

type LooseTranslate = (locale: Channel['settings']['locale'], key: MessageKey, params?: LooseParams) => string;

/**
 * `translate` with the channel's locale and currency name. Callers keep their compile-time
 * param checks (`ParamsOf<K>`); this widens once, here, for keys chosen at run time.
 */
export function renderFor(channel: Pick<Channel, 'settings'>, key: MessageKey, params: LooseParams = {}): string {
  const { locale, currencyName } = channel.settings;
  return (translate as LooseTranslate)(locale, key, { currency: currencyName, ...params });
}
