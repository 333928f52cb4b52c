/**
 * What chat has been told about each mission, so a line that a later state has made untrue is
 * never sent: "#2 is live! Back it" after "#2 failed", or a pot figure the verdict already
 * replaced. Pure; the outbox core keeps one tracker per channel.
 */

/** The stages a mission moves through, as chat hears of them. */
export type MissionStage = 'proposed' | 'open' | 'closed' | 'ended';

/** Which mission a line is about, and while when it stays true. */
export interface MissionScope {
  number: number;
  /** Set on the announcement of a state change: the stage the mission now enters. */
  enters?: MissionStage;
  /** The stages in which the line is still true; in any other it is dropped unsent. */
  trueIn: readonly MissionStage[];
}

/** The scope of each kind of line the bot says about a mission. */
export const missionScope = {
  proposed: (number: number): MissionScope => ({ number, enters: 'proposed', trueIn: ['proposed'] }),
  opened: (number: number): MissionScope => ({ number, enters: 'open', trueIn: ['open'] }),
  closed: (number: number): MissionScope => ({ number, enters: 'closed', trueIn: ['closed'] }),
  verdict: (number: number): MissionScope => ({ number, enters: 'ended', trueIn: ['ended'] }),
  /** A pot figure: true until the verdict reports the final one. */
  pot: (number: number): MissionScope => ({ number, trueIn: ['open', 'closed'] }),
  /** An answer describing the mission as it is in `stage`. */
  snapshot: (number: number, stage: MissionStage): MissionScope => ({ number, trueIn: [stage] }),
} as const;

/** The stage a mission status belongs to. */
export function stageOfStatus(status: string): MissionStage {
  if (status === 'pending') return 'proposed';
  if (status === 'open') return 'open';
  if (status === 'closed') return 'closed';
  return 'ended';
}

export interface StageTracker {
  /**
   * Records a line about to be queued. Returns false when the line is already untrue (a later
   * stage was announced); when the line announces a new stage, records it.
   */
  admit(scope: MissionScope): boolean;
  /** Whether a line queued earlier is still true now. */
  stillTrue(scope: MissionScope): boolean;
}

/** Missions remembered per channel; the oldest are forgotten first (numbers only grow). */
const MAX_TRACKED = 500;

export function createStageTracker(): StageTracker {
  const stages = new Map<number, MissionStage>();
  return {
    admit(scope) {
      const current = stages.get(scope.number);
      if (scope.enters === undefined) return current === undefined || scope.trueIn.includes(current);
      // Nothing reopens an ended mission: a late "is live" about it is stale.
      if (current === 'ended' && scope.enters !== 'ended') return false;
      stages.delete(scope.number);
      stages.set(scope.number, scope.enters);
      if (stages.size > MAX_TRACKED) {
        const oldest = stages.keys().next().value;
        if (oldest !== undefined) stages.delete(oldest);
      }
      return true;
    },
    stillTrue(scope) {
      const current = stages.get(scope.number);
      return current === undefined || scope.trueIn.includes(current);
    },
  };
}
