import type { MissionDto, PledgeTotals, ResolvedOutcome } from '../domain/types.js';

/**
 * Events published on the bus by whichever process made the change (server, worker or bot)
 * and consumed by the overlay hub and the bot's announcer. One channel's events are ordered
 * as published by one process; consumers must not assume more.
 */
export type DomainEvent = MissionChangedEvent | PledgeAddedEvent | MissionResolvedEvent | ChannelChangedEvent;

interface BaseEvent {
  /** Channel login, lower case. */
  channel: string;
  /** ISO 8601 time the change committed. */
  at: string;
}

/** A mission was created or changed state or deadline (proposed, approved, closed, extended…). */
export interface MissionChangedEvent extends BaseEvent {
  type: 'mission';
  /** What happened: 'proposed' | 'opened' | 'closed' | 'extended' | 'updated'. */
  change: 'proposed' | 'opened' | 'closed' | 'extended' | 'updated';
  mission: MissionDto;
}

/** One or more pledges committed to one mission (a micro-batch publishes one event). */
export interface PledgeAddedEvent extends BaseEvent, PledgeTotals {
  type: 'pledge';
}

/** A verdict: the mission reached a terminal status (settlement may still be running). */
export interface MissionResolvedEvent extends BaseEvent {
  type: 'resolved';
  outcome: ResolvedOutcome;
  /** Why it failed: a moderator verdict, the grace period running out, a pending timeout… */
  cause: 'verdict' | 'expired' | 'pending_timeout' | 'cancel' | 'reject';
  mission: MissionDto;
}

/** New missions were paused or resumed, or the settings changed (chat, dashboard or API); for the live boards and the bots' channel caches. */
export interface ChannelChangedEvent extends BaseEvent {
  type: 'channel';
  missionsPaused: boolean;
}

/**
 * Twitch set-up changed somewhere (a login, a revoked or invalid token, a channel added): every
 * role reloads what it holds, so set-up takes effect without a restart, in one process or many.
 * Delivered only to {@link EventBus.subscribeTwitch}, never to domain subscribers.
 */
export interface TwitchChangedEvent {
  type: 'twitch';
  change: 'token' | 'channel';
  /** Channel login for `channel` changes; '' for token changes. */
  channel: string;
  /** The Twitch user whose token changed (token changes). */
  userId?: string;
  role?: 'bot' | 'broadcaster';
  status?: 'valid' | 'invalid';
  at: string;
}

export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Returns an unsubscribe function. Handlers must not throw. */
  subscribe(handler: (event: DomainEvent) => void): () => void;
  close(): Promise<void>;
}

/** The set-up channel beside the domain events, on the same transport. */
export interface TwitchEventChannel {
  publishTwitch(event: TwitchChangedEvent): Promise<void>;
  /** Returns an unsubscribe function. Handlers must not throw. */
  subscribeTwitch(handler: (event: TwitchChangedEvent) => void): () => void;
}
