/**
 * The dashboard's demo chat over the local chat simulator: a line posted from the dashboard is
 * said in the simulated channel as that viewer (a moderator there, or not), and every bot message
 * comes back as a line, so the panel shows the bot's replies as chat would.
 */
import { randomUUID } from 'node:crypto';
import type { DemoChat, DemoChatLine } from '../../server/board/demo-chat.js';
import type { ChatSimulator } from './server.js';

export function createSimulatorDemoChat(sim: ChatSimulator, now: () => Date = () => new Date()): DemoChat {
  const handlers = new Set<(line: DemoChatLine) => void>();
  const emit = (line: DemoChatLine) => {
    for (const handler of handlers) handler(line);
  };
  sim.onBotMessage((message) => {
    if (message.dropped) return;
    const login = message.login;
    emit({ id: message.id, channel: message.channel.replace(/^#/, ''), login, displayName: sim.viewer(login)?.displayName ?? login, role: 'bot', bot: true, text: message.text, at: new Date(message.at).toISOString() });
  });
  return {
    say(channel, login, role, text) {
      sim.setMod(channel, login, role === 'moderator');
      const id = sim.say(channel, login, text);
      const displayName = sim.viewer(login)?.displayName ?? login;
      const line: DemoChatLine = { id: id || randomUUID(), channel, login, displayName, role, bot: false, text, at: now().toISOString() };
      emit(line);
      return line;
    },
    onLine(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
