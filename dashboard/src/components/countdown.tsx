/**
 * A live countdown. One shared ticker per page wakes every countdown on the second, so a board
 * with fifty missions runs one timer, and the rest of the board does not re-render each second.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { clock } from '../format.js';
import { useI18n } from '../i18n/index.js';

export interface Ticker {
  now(): number;
  subscribe(listener: () => void): () => void;
  stop(): void;
}

export function createTicker(offsetMs: () => number): Ticker {
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    timer = setTimeout(
      () => {
        for (const l of listeners) l();
        schedule();
      },
      1000 - ((Date.now() + offsetMs()) % 1000) + 5,
    );
  };
  schedule();
  return {
    now: () => Date.now() + offsetMs(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => clearTimeout(timer),
  };
}

export const TickerContext = createContext<Ticker | null>(null);

function useNow(): number {
  const ticker = useContext(TickerContext);
  const [now, setNow] = useState(() => ticker?.now() ?? Date.now());
  useEffect(() => ticker?.subscribe(() => setNow(ticker.now())), [ticker]);
  return now;
}

interface CountdownProps {
  /** ISO time the countdown runs to. */
  until: string;
  /** Start of the period, for the draining bar. */
  from?: string | null;
  label: (time: string) => string;
  expired: string;
}

export function Countdown({ until, from, label, expired }: CountdownProps) {
  const now = useNow();
  useI18n();
  const end = Date.parse(until);
  const left = end - now;
  const start = from ? Date.parse(from) : NaN;
  const fraction = Number.isFinite(start) && end > start ? Math.min(1, Math.max(0, left / (end - start))) : null;
  const urgent = left > 0 && left <= 60_000;
  return (
    <div class={`countdown${urgent ? ' is-urgent' : ''}${left <= 0 ? ' is-over' : ''}`}>
      <time dateTime={until} class="countdown-text">
        {left > 0 ? label(clock(left)) : expired}
      </time>
      {fraction !== null && (
        <span class="countdown-bar" aria-hidden="true">
          <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
        </span>
      )}
    </div>
  );
}
