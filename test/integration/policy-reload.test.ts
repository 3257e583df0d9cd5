// The policy file is reloaded when it changes: a new requester can act without a restart; a broken file is refused
// and the previous policy stays in force.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyFile, type PolicyFile } from '../helpers/policy-file.js';
import { waitFor } from '../helpers/wait-for.js';
import { DEFAULT_POLICY, OUTSIDER, REQUESTER, logLines, startHarness, type Harness } from './conversation-harness.js';

let policy: PolicyFile;
let h: Harness;
/** Written beside and renamed over, as a ConfigMap update swaps the file whole. */
const writePolicy = (text: string) => policy.write(text);

beforeAll(async () => {
  policy = createPolicyFile(DEFAULT_POLICY);
  h = await startHarness({ overrides: { watchPolicyFile: policy.path, policyWatchIntervalMs: 50 } });
});
afterAll(async () => {
  await h?.close();
  policy?.remove();
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
    writeFileSync(policy.path, DEFAULT_POLICY); // same size and mtime granularity may hide it from stat polling: ask directly
    await h.app.reloadPolicy();
    expect(h.app.services.policy.requesters).not.toContain(OUTSIDER);
  });
});
