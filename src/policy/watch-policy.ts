// Reloads the policy file when it changes, so adding an approver doesn't need a restart. A Kubernetes ConfigMap
// volume swaps a symlink rather than writing the file, so the path is polled with stat (fs.watchFile), not watched.
import { unwatchFile, watchFile } from 'node:fs';
import { loadPolicy } from './load-policy.js';
import type { Policy } from './policy-schema.js';

export interface PolicyWatcher {
  /** Reads the file now (e.g. on SIGHUP); resolves once the new policy is applied or refused. */
  reload(): Promise<void>;
  close(): void;
}

export interface WatchPolicyOptions {
  path: string;
  /** A valid new policy: swap it in. */
  onChange: (policy: Policy) => void;
  /** An unreadable or invalid file: the current policy stays in force. */
  onError: (error: unknown) => void;
  intervalMs?: number;
}

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
  const listener = (curr: { mtimeMs: number; size: number; ino: number }, prev: { mtimeMs: number; size: number; ino: number }) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) void reload();
  };
  watchFile(opts.path, { interval: opts.intervalMs ?? 10_000, persistent: false }, listener);
  return {
    reload,
    close: () => unwatchFile(opts.path, listener),
  };
}
