/** Local Twitch-IRC-compatible chat simulator: the fixture for bot tests and `npm run demo`. */
export {
  startChatSimulator,
  type BotMessage,
  type BotMessageMatcher,
  type ChatSimulator,
  type ChatSimulatorOptions,
  type SayOptions,
} from './server.js';
export { TWITCH_LIMITS, assessMessage, type ChatLimits, type Violation } from './limits.js';
export type { Viewer, ViewerInit, Roles, TagOverrides } from './users.js';
export { attachConsole, parseConsoleLine, type ConsoleAction, type ConsoleOptions, type ChatConsole } from './console.js';
