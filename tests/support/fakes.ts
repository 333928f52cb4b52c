/**
 * In-memory stand-ins for the overlay hub's and the board feed's unit tests: an event bus the
 * test emits on, a manual clock whose `advance` runs due timers in order, and a websocket that
 * records what it was sent.
 */
import { EventEmitter } from 'node:events';
import type { DomainEvent, EventBus } from '../../server/events/types.js';

export function fakeBus(): EventBus & { emit(event: DomainEvent): void; handlers: number } {
  const handlers = new Set<(event: DomainEvent) => void>();
  return {
    async publish(event) {
      for (const handler of handlers) handler(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
    emit(event) {
      for (const handler of handlers) handler(event);
    },
    get handlers() {
      return handlers.size;
    },
  };
}

/** Manual clock: `advance` runs due tasks in time order. */
export function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  let tasks: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    now: () => now,
    schedule: (fn: () => void, ms: number) => {
      const id = nextId++;
      tasks.push({ at: now + ms, fn, id });
      return () => {
        tasks = tasks.filter((t) => t.id !== id);
      };
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = tasks.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (due === undefined) break;
        tasks = tasks.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = until;
    },
  };
}

/** An open websocket that records what it is sent, and replays frames from the client with `frame`. */
export class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    if (this.readyState !== 1) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  messages(): Array<Record<string, unknown> & { type: string; seq?: number }> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown> & { type: string; seq?: number });
  }
  frame(data: unknown, isBinary = false): void {
    this.emit('message', data, isBinary);
  }
}
