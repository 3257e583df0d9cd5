// A policy file in a directory of its own, changed as a ConfigMap update changes it: written beside, renamed over.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PolicyFile {
  path: string;
  /** Replaces the file whole (written beside, then renamed over it). */
  write(text: string): void;
  remove(): void;
}

export function createPolicyFile(text: string): PolicyFile {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-restore-policy-'));
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, text);
  let n = 0;
  return {
    path,
    write(next) {
      const beside = join(dir, `policy.next.${(n += 1)}.yaml`);
      writeFileSync(beside, next);
      renameSync(beside, path);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
