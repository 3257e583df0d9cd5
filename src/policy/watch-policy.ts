// Reloads the policy file when it changes, so adding an approver doesn't need a restart. A Kubernetes ConfigMap
// volume swaps a symlink rather than writing the file, so the path is polled with stat (following the symlink), not
// watched. The poll compares with the file as it was when the policy in force was read (`since`), not with a first
// stat of its own: a change between that read and the watcher's start (the Redis checks at start-up take seconds)
// would otherwise be the baseline, and never applied.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadPolicy } from './load-policy.js';
import type { Policy } from './policy-schema.js';

export interface PolicyWatcher {
  /** Reads the file now (e.g. on SIGHUP); resolves once the new policy is applied or refused. */
  reload(): Promise<void>;
  close(): void;
}

/** What tells one version of the file from another (a ConfigMap update is a new file: a new inode). */
export interface PolicyFileVersion {
  mtimeMs: number;
  size: number;
  ino: number;
}

export interface WatchPolicyOptions {
  path: string;
  /** A valid new policy: swap it in. */
  onChange: (policy: Policy) => void;
  /** An unreadable or invalid file: the current policy stays in force. */
  onError: (error: unknown) => void;
  intervalMs?: number;
  /** The file's version taken right before the policy in force was read; by default, the file as it is now. */
  since?: PolicyFileVersion;
}

/** The file's version now, or undefined when it can't be stat'ed. Taken before reading it, it is the `since` of that read. */
export function policyFileVersion(path: string): PolicyFileVersion | undefined {
  try {
    const { mtimeMs, size, ino } = statSync(path);
    return { mtimeMs, size, ino };
  } catch {
    return undefined;
  }
}

const sameVersion = (a: PolicyFileVersion | undefined, b: PolicyFileVersion | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino);

export function watchPolicy(opts: WatchPolicyOptions): PolicyWatcher {
  let running: Promise<void> | undefined;
  let again: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    if (!running) {
      running = loadPolicy(opts.path)
        .then(opts.onChange, opts.onError)
        .finally(() => {
          running = undefined;
        });
      return running;
    }
    // One reload at a time. A change seen (or a SIGHUP) while one reads may be newer than what it read, and the next
    // stat won't see it again: read once more after it. Every request meanwhile shares that one follow-up.
    again ??= running.then(() => {
      again = undefined;
      return reload();
    });
    return again;
  };

  let seen = opts.since ?? policyFileVersion(opts.path);
  let polling = false;
  const poll = async () => {
    if (polling) return; // a stat slower than the interval (a stalled volume): one at a time
    polling = true;
    try {
      const now = await stat(opts.path).then(({ mtimeMs, size, ino }) => ({ mtimeMs, size, ino }), () => undefined);
      // A file gone is a change too: its reload fails loudly and the policy in force stays (the kubelet's swap is
      // a rename, so the path is never missing mid-swap).
      if (!sameVersion(now, seen)) {
        seen = now;
        void reload();
      }
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), opts.intervalMs ?? 10_000);
  timer.unref();
  return {
    reload,
    close: () => clearInterval(timer),
  };
}
