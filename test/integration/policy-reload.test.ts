// The policy file is reloaded when it changes: a new requester can act without a restart; a broken file is refused
// and the previous policy stays in force.
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { DEFAULT_POLICY, OUTSIDER, REQUESTER, logLines, startHarness, type Harness } from './conversation-harness.js';

let dir: string;
let file: string;
let h: Harness;

/** Written beside and renamed over, as a ConfigMap update swaps the file whole. */
function writePolicy(text: string): void {
  const next = join(dir, `policy.next.${Date.now()}.yaml`);
  writeFileSync(next, text);
  renameSync(next, file);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-restore-policy-'));
  file = join(dir, 'policy.yaml');
  writeFileSync(file, DEFAULT_POLICY);
  h = await startHarness({ overrides: { watchPolicyFile: file, policyWatchIntervalMs: 50 } });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mayOpenTheForm(user: string): Promise<boolean> {
  const before = h.slack.views().length;
  const { json } = await h.command(user, '');
  // Someone who may request nothing is answered privately at once; anyone else gets the form.
  if (JSON.stringify(json ?? '').includes('not allowed to request restores')) return false;
  await waitFor(() => h.slack.views().slice(before).find((v) => JSON.stringify(v.blocks).includes('restore_snapshot')), { message: 'the form' });
  return true;
}

describe('policy reload', () => {
  it('applies a changed file without a restart', async () => {
    expect(await mayOpenTheForm(OUTSIDER)).toBe(false);
    writePolicy(DEFAULT_POLICY.replace(`requesters: [${REQUESTER}]`, `requesters: [${REQUESTER}, ${OUTSIDER}]`));
    await waitFor(() => h.app.services.policy.requesters.includes(OUTSIDER), { message: 'policy reloaded' });
    expect(await mayOpenTheForm(OUTSIDER)).toBe(true);
  });

  it('refuses a broken file, logs why, and keeps the policy in force', async () => {
    const inForce = h.app.services.policy;
    writePolicy('projects:\n  - name: shop\n    id: not-hex\n');
    await waitFor(() => logLines.find((l) => l.includes('policy not reloaded') && l.includes('projects[0].id')), { message: 'refusal logged' });
    expect(h.app.services.policy).toBe(inForce);
    expect(await mayOpenTheForm(OUTSIDER)).toBe(true);
  });

  it('reloads on demand (SIGHUP in main.ts)', async () => {
    writeFileSync(file, DEFAULT_POLICY); // same size and mtime granularity may hide it from stat polling: ask directly
    await h.app.reloadPolicy();
    expect(h.app.services.policy.requesters).not.toContain(OUTSIDER);
  });
});
