// What a source cluster supports beyond a whole-cluster restore from a snapshot, and in plain words why not. Pure:
// the handlers load the facts (cluster type, continuous cloud backup, restore window) and the views only read them.
import { restoreWindow, type RestoreWindow } from '../../atlas/backup-schedule.js';
import type { ClusterType } from '../../atlas/types.js';
import { escapeText } from './format.js';

export type SourceFacts =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | {
      status: 'loaded';
      type: ClusterType;
      /** Continuous cloud backup: only a dedicated cluster's `pitEnabled` is ever true. */
      pitEnabled: boolean;
      /** The backup schedule's window, when continuous cloud backup is on and the schedule could be read. */
      restoreWindowDays?: number | undefined;
      /** Why the schedule couldn't be read, when it couldn't. */
      windowProblem?: string | undefined;
    };

const TYPE_WORDS: Record<ClusterType, string> = {
  dedicated: 'a dedicated cluster',
  flex: 'a Flex cluster',
  serverless: 'a serverless instance',
};

export function typeWords(type: ClusterType): string {
  return TYPE_WORDS[type];
}

const code = (key: string) => `\`${escapeText(key)}\``;

/** Why a source can't restore single databases or collections; undefined when it can. Loading and errors say so. */
export function collectionsUnavailable(sourceKey: string, facts: SourceFacts): string | undefined {
  if (facts.status === 'loading') return `Checking what ${code(sourceKey)} supports…`;
  if (facts.status === 'error') return `What ${code(sourceKey)} supports couldn't be checked (${escapeText(facts.message)}); choose the source again to retry.`;
  if (facts.type !== 'dedicated') return `${code(sourceKey)} is ${typeWords(facts.type)}: Atlas restores single databases or collections of dedicated clusters only.`;
  return undefined;
}

/** Why a source can't restore to a point in time; undefined when it can (then pointInTimeWindow is defined). */
export function pointInTimeUnavailable(sourceKey: string, facts: SourceFacts): string | undefined {
  if (facts.status === 'loading') return `Checking what ${code(sourceKey)} supports…`;
  if (facts.status === 'error') return `What ${code(sourceKey)} supports couldn't be checked (${escapeText(facts.message)}); choose the source again to retry.`;
  if (facts.type !== 'dedicated') {
    return `${code(sourceKey)} is ${typeWords(facts.type)}: only dedicated clusters with continuous cloud backup can restore to a point in time.`;
  }
  if (!facts.pitEnabled) {
    return `Continuous cloud backup is off for ${code(sourceKey)}, so it can't restore to a point in time (it is turned on in the cluster's backup policy in Atlas).`;
  }
  if (!(facts.restoreWindowDays !== undefined && facts.restoreWindowDays > 0)) {
    return `The point-in-time restore window of ${code(sourceKey)} couldn't be read${facts.windowProblem ? ` (${escapeText(facts.windowProblem)})` : ''}; choose the source again to retry.`;
  }
  return undefined;
}

/** The restorable window now, for a source that can restore to a point in time. */
export function pointInTimeWindow(facts: SourceFacts, nowSeconds: number): RestoreWindow | undefined {
  if (facts.status !== 'loaded' || facts.type !== 'dedicated') return undefined;
  return restoreWindow({ pitEnabled: facts.pitEnabled }, { restoreWindowDays: facts.restoreWindowDays }, nowSeconds * 1000);
}
