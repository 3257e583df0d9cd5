// The policy file as Kubernetes mounts a ConfigMap: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>/.
// An update never writes the file: the kubelet writes a new timestamped directory, points a ..data_tmp symlink at it,
// renames that over ..data (atomic) and deletes the old directory. These tests do exactly that in a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/policy/policy-schema.js';
import { policyFileVersion, watchPolicy, type PolicyFileVersion, type PolicyWatcher } from '../../../src/policy/watch-policy.js';
import { waitFor } from '../../helpers/wait-for.js';

const POLICY = readFileSync(fileURLToPath(new URL('../../fixtures/policy.yaml', import.meta.url)), 'utf8');
/** The fixture with another first requester, as long as the original: a same-size change. */
const withRequester = (id: string) => {
  expect(id).toHaveLength('U0123ABCD'.length);
  return POLICY.replace('requesters: [U0123ABCD,', `requesters: [${id},`);
};

let dir: string;
let version = 0;
let current: string | undefined;
let watcher: PolicyWatcher | undefined;
let applied: Policy[];
let refused: unknown[];

/** A new timestamped directory with `files`, swapped in as the kubelet's AtomicWriter does. Returns its path. */
function kubeletWrites(files: Record<string, string | 'fifo'>): string {
  version += 1;
  const name = `..2026_05_01_10_00_${String(version).padStart(2, '0')}.${1000 + version}`;
  mkdirSync(join(dir, name));
  for (const [file, text] of Object.entries(files)) {
    if (text === 'fifo') execFileSync('mkfifo', [join(dir, name, file)]);
    else writeFileSync(join(dir, name, file), text);
  }
  symlinkSync(name, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  if (current === undefined) for (const file of Object.keys(files)) symlinkSync(join('..data', file), join(dir, file));
  else rmSync(join(dir, current), { recursive: true, force: true });
  current = name;
  return join(dir, name);
}

/** Starts watching; a change is told from the file as it is now, or from `since`. */
function watch(since?: PolicyFileVersion): PolicyWatcher {
  watcher = watchPolicy({ path: join(dir, 'policy.yaml'), intervalMs: 20, since, onChange: (p) => applied.push(p), onError: (e) => refused.push(e) });
  return watcher;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atlas-restore-configmap-'));
  current = undefined;
  applied = [];
  refused = [];
  kubeletWrites({ 'policy.yaml': POLICY });
});
afterEach(() => {
  watcher?.close();
  watcher = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('watchPolicy with a ConfigMap volume', () => {
  it('applies an update that swaps the ..data symlink, the old directory gone', async () => {
    watch();
    kubeletWrites({ 'policy.yaml': POLICY.replace('approvers: [U0789IJKL,', 'approvers: [U0789IJKL, U0NEWAPPR1,') });
    await waitFor(() => applied.at(-1)?.approvers.includes('U0NEWAPPR1'), { message: 'the swapped-in policy applied' });
    expect(refused).toEqual([]);
  });

  it('applies an update of the same size (a new file, whatever its size and mtime)', async () => {
    watch();
    kubeletWrites({ 'policy.yaml': withRequester('U0SAMELEN') });
    await waitFor(() => applied.at(-1)?.requesters.includes('U0SAMELEN'), { message: 'the same-size update applied' });
    kubeletWrites({ 'policy.yaml': withRequester('U0SAMELE2') });
    await waitFor(() => applied.at(-1)?.requesters.includes('U0SAMELE2'), { message: 'the second same-size update applied' });
  });

  it('refuses an invalid update, then applies the next valid one', async () => {
    watch();
    kubeletWrites({ 'policy.yaml': 'projects:\n  - name: shop\n    id: not-hex\n' });
    await waitFor(() => refused.length > 0, { message: 'the invalid update refused' });
    expect(applied).toEqual([]);
    kubeletWrites({ 'policy.yaml': withRequester('U0AFTERBD') });
    await waitFor(() => applied.at(-1)?.requesters.includes('U0AFTERBD'), { message: 'the next valid update applied' });
  });

  it('does not lose an update that lands while a reload is still reading the previous file', async () => {
    // The file being read is a FIFO: the read blocks until the test writes it, so the swap happens mid-read for sure.
    const reading = join(kubeletWrites({ 'policy.yaml': 'fifo' }), 'policy.yaml');
    const w = watch();
    const first = w.reload(); // SIGHUP
    const writer = await open(reading, 'w'); // resolves once the reload has the FIFO open
    kubeletWrites({ 'policy.yaml': withRequester('U0NEWEST1') });
    const second = w.reload(); // SIGHUP again (the stat poll may see the swap too, during the read or after it)
    await writer.writeFile(withRequester('U0OLDREAD'));
    await writer.close();
    await Promise.all([first, second]);
    await waitFor(() => applied.at(-1)?.requesters.includes('U0NEWEST1'), { message: 'the newest policy applied last' });
    // The old file's policy once, then the newest (a poll that saw the swap only after both reads applies it again).
    const order = applied.map((p) => p.requesters[0]);
    expect(order[0]).toBe('U0OLDREAD');
    expect(new Set(order.slice(1))).toEqual(new Set(['U0NEWEST1']));
  });

  it('applies an update that landed after the policy in force was read but before the watch began', async () => {
    const since = policyFileVersion(join(dir, 'policy.yaml')); // taken as the bot reads the file at start
    kubeletWrites({ 'policy.yaml': withRequester('U0BETWEEN') }); // during the Redis checks
    watch(since);
    await waitFor(() => applied.at(-1)?.requesters.includes('U0BETWEEN'), { message: 'the update made before the watch applied' });
  });

  it('says so when the file is gone, keeps the policy in force, and applies it when it is back', async () => {
    watch();
    rmSync(join(dir, '..data'));
    await waitFor(() => refused.length > 0, { message: 'the missing file reported' });
    expect(applied).toEqual([]);
    kubeletWrites({ 'policy.yaml': withRequester('U0CAMEBAK') });
    await waitFor(() => applied.at(-1)?.requesters.includes('U0CAMEBAK'), { message: 'the file back, applied' });
  });
});
