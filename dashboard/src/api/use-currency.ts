/** The channel's currency name for a page's amounts, read once per channel; `before` until it arrives. */
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-context.js';
import { channelPath } from './client.js';
import type { Channel } from './types.js';

export function useCurrencyName<T extends string | null>(channel: string, before: T): string | T {
  const { api } = useApp();
  const [currency, setCurrency] = useState<string | T>(before);
  useEffect(() => {
    api
      .get<Channel>(channelPath(channel))
      .then((c) => setCurrency(c.settings.currencyName))
      .catch(() => undefined);
  }, [api, channel]);
  return currency;
}
