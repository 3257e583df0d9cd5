// What a policy file may cost: its size, its YAML aliases. Within the limits a file is read whole; past them it is
// refused with a PolicyError naming the limit, never a crash that hides the other problems.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import { readSettings } from '../../../src/read-settings.js';
import { policyProblems } from '../../helpers/policy-problems.js';

const ID = '5e2211c17a3e5a48f5497de3';

const problemsOf = policyProblems;

/** One anchor, used by `uses` clusters. */
function anchoredPolicy(uses: number): string {
  const clusters = Array.from({ length: uses }, (_, i) => `      - { name: c${i}, approvers: *oncall }`).join('\n');
  return `requesters: &oncall [U0ONE, U0TWO]\nprojects:\n  - name: shop\n    id: ${ID}\n    clusters:\n${clusters}\n`;
}

/** Each level a list of nine aliases of the level below: 9^levels values once expanded. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 [U0ONE, U0ONE, U0ONE, U0ONE, U0ONE, U0ONE, U0ONE, U0ONE, U0ONE]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nprojects: [{ name: shop, id: ${ID}, clusters: [{ name: orders }] }]\n`;
}

describe('policy file limits', () => {
  it('takes an anchor used on hundreds of clusters (YAML aliases are a normal way to write a policy)', () => {
    const policy = parsePolicy(anchoredPolicy(500), 'test.yaml');
    expect(policy.projects[0]?.clusters).toHaveLength(500);
    expect(policy.projects[0]?.clusters[499]?.approvers).toEqual(['U0ONE', 'U0TWO']);
  });

  it('an alias used before its anchor is named with its line', () => {
    const text = `projects:\n  - name: a\n    id: 5e2211c17a3e5a48f5497de3\n    approvers: *dbas\n    clusters: [{ name: x }]\nrequesters: &dbas [U0123ABCD]\n`;
    expect(problemsOf(text)).toEqual(['line 4: the alias *dbas is used before its anchor &dbas: move the anchor above its first use']);
    // The whole name, not a longer one, and not in a comment.
    const longer = `# approvers: *ops in a comment\nprojects:\n  - name: a\n    id: 5e2211c17a3e5a48f5497de3\n    requesters: *opsteam\n    approvers: *ops\n    clusters: [{ name: x }]\nx-ops: &ops [U0123ABCD]\nx-team: &opsteam [U0123ABCD]\n`;
    expect(problemsOf(longer)[0]).toMatch(/^line [56]: the alias \*ops(team)? is used before its anchor/);
    expect(problemsOf(longer).join('\n')).not.toMatch(/^line 1:/);
  });

  it('an alias whose anchor is nowhere in the file says so', () => {
    const text = `projects:\n  - name: a\n    id: 5e2211c17a3e5a48f5497de3\n    approvers: *nobody\n    clusters: [{ name: x }]\n`;
    expect(problemsOf(text)).toEqual(['line 4: the alias *nobody names no anchor &nobody in the file']);
  });

  it('refuses an alias bomb with a problem naming the limit, quickly', () => {
    expect(problemsOf(aliasBomb(9))).toEqual([expect.stringMatching(/^\(root\): the file stands for more than 1,000,000 values once its YAML aliases \(\*name\) are expanded/)]);
  });

  it('refuses a file over 1 MB, saying how big it is', () => {
    const text = `${anchoredPolicy(1)}# ${'x'.repeat(1024 * 1024)}\n`;
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^\(root\): the file is 1,0\d\d,\d{3} bytes; a policy may be at most 1,048,576 bytes \(1 MB\)$/)]);
  });

  it('an alias to an anchor defined later is a problem of the file', () => {
    expect(problemsOf(`requesters: *later\napprovers: &later [U0ONE]\nprojects: [{ name: shop, id: ${ID}, clusters: [{ name: orders }] }]\n`)[0]).toMatch(/later/);
  });

  it('readSettings reports the bomb beside a bad variable', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'atlas-restore-limits-')), 'policy.yaml');
    writeFileSync(file, aliasBomb(9));
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ATLAS_PUBLIC_KEY: 'p', ATLAS_PRIVATE_KEY: 'k', PORT: 'abc', RESTORE_POLICY_FILE: file };
    const settings = await readSettings(env);
    expect(settings.ok ? [] : settings.errors).toEqual([expect.stringContaining('PORT must be'), expect.stringContaining('YAML aliases')]);
  });
});
