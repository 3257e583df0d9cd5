import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPath, loadPolicy, parsePolicy, PolicyError } from '../../../src/policy/load-policy.js';
import { policyProblems } from '../../helpers/policy-problems.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const ID = '5e2211c17a3e5a48f5497de3';

const problemsOf = policyProblems;

describe('loadPolicy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the YAML fixture with defaults and overrides', async () => {
    const policy = await loadPolicy(fixture('policy.yaml'));
    expect(policy.projects.map((p) => p.name)).toEqual(['shop', 'billing']);
    expect(policy.projects[0]?.clusters[1]).toMatchObject({ name: 'orders-staging', type: 'dedicated', approvers: ['U0STAGING1'] });
    expect(policy.projects[1]?.approval).toEqual({ required: 2, expiresAfterMinutes: 60 });
    expect(policy.channels).toEqual(['C0ABCDEF1']);
  });

  it('loads JSON and applies defaults (deny by default: no channels restriction, approval defaults)', async () => {
    const policy = await loadPolicy(fixture('policy.json'));
    expect(policy.approval).toEqual({ required: 1, allowSelfApproval: false, expiresAfterMinutes: 30 });
    expect(policy.channels).toBeUndefined();
    expect(policy.projects[0]?.clusters[0]?.type).toBe('flex');
  });

  it('reports every problem of the invalid fixture with its path', async () => {
    const err = await loadPolicy(fixture('policy-invalid.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    const problems = (err as PolicyError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'projects[0].clusters[1].type: expected one of flex|dedicated|serverless',
        expect.stringMatching(/^projects\[0\]\.clusters\[2\]\.name: duplicate cluster name "orders"/),
        expect.stringMatching(/^projects\[1\]\.name: duplicate project name "shop"/),
        'projects[1].id: expected a 24-hex Atlas project id',
        'projects[1].clusters[0].colour: unknown key "colour"',
        expect.stringMatching(/^requesters\[1\]: expected a Slack user id/),
        expect.stringMatching(/^channels\[0\]: expected a Slack channel id/),
        'approval.required: required must be at least 1',
        'owner: unknown key "owner"',
      ]),
    );
    expect(problems).toHaveLength(9);
    expect((err as Error).message).toContain('9 problems');
    expect((err as Error).message).toContain('policy-invalid.yaml');
  });

  it('says POLICY_UNREADABLE for a missing file', async () => {
    const err = await loadPolicy(join(dir, 'nope.yaml')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'POLICY_UNREADABLE' });
    expect((err as Error).message).toContain('ENOENT');
  });

  it('reads a file written at run time', async () => {
    const path = join(dir, 'p.json');
    await writeFile(path, JSON.stringify({ projects: [{ name: 'a', id: ID, clusters: [{ name: 'x' }] }] }));
    expect((await loadPolicy(path)).requesters).toEqual([]);
  });
});

describe('parsePolicy', () => {
  it('rejects a YAML syntax error with its position', () => {
    expect(problemsOf('projects: [')[0]).toMatch(/^line 1, column \d+: /);
  });

  it('rejects duplicate keys instead of silently keeping the last one', () => {
    expect(problemsOf(`projects: []\nprojects: []`)[0]).toMatch(/unique/i);
  });

  it('rejects an empty file and a non-mapping', () => {
    expect(problemsOf('')).toEqual(['(root): the file is empty']);
    expect(problemsOf('- a')).toEqual(['(root): expected a mapping, got a list']);
  });

  it('says which fields are missing', () => {
    expect(problemsOf('requesters: [U1]')).toEqual(['projects: is required']);
    expect(problemsOf(`projects: [{name: a}]`)).toEqual(['projects[0].id: is required', 'projects[0].clusters: is required']);
  });

  it('rejects bad approval values in overrides', () => {
    const text = `projects: [{name: a, id: ${ID}, approval: {required: 1.5}, clusters: [{name: x, approval: {expiresAfterMinutes: 0, foo: 1}}]}]`;
    expect(problemsOf(text)).toEqual([
      'projects[0].clusters[0].approval.expiresAfterMinutes: expiresAfterMinutes must be at least 1',
      'projects[0].clusters[0].approval.foo: unknown key "foo"',
      'projects[0].approval.required: required must be a whole number',
    ]);
  });

  it('rejects bad member ids, bad cluster names and project names that look like ids', () => {
    const text = `projects: [{name: ${'a'.repeat(24)}, id: ${ID}, clusters: [{name: "bad name"}], approvers: [u123, C123]}]`;
    const problems = problemsOf(text);
    expect(problems).toContain('projects[0].name: a project name must not look like a 24-hex project id');
    expect(problems).toContainEqual(expect.stringMatching(/^projects\[0\]\.clusters\[0\]\.name: expected an Atlas cluster name/));
    expect(problems).toContainEqual(expect.stringMatching(/^projects\[0\]\.approvers\[0\]: expected a Slack user id/));
    expect(problems).toContainEqual(expect.stringMatching(/^projects\[0\]\.approvers\[1\]: expected a Slack user id/));
  });

  it('rejects duplicate project ids and case-insensitive duplicate names', () => {
    const text = `projects: [{name: a, id: ${ID}, clusters: [{name: x}, {name: X}]}, {name: b, id: ${ID.toUpperCase()}, clusters: [{name: x}]}]`;
    const problems = problemsOf(text);
    expect(problems).toContainEqual(expect.stringMatching(/^projects\[0\]\.clusters\[1\]\.name: duplicate cluster name "X"/));
    expect(problems).toContainEqual(expect.stringMatching(/^projects\[1\]\.id: duplicate project id/));
  });

  it('accepts the same cluster name in two projects', () => {
    const other = '6f3322d28b4f6b59a6508ef4';
    const policy = parsePolicy(`projects: [{name: a, id: ${ID}, clusters: [{name: x}]}, {name: b, id: ${other}, clusters: [{name: x}]}]`, 't');
    expect(policy.projects).toHaveLength(2);
  });

  it('says to quote a name or id that YAML read as a number or a boolean', () => {
    expect(problemsOf(`projects: [{name: 2024, id: ${ID}, clusters: [{name: true}]}]`)).toEqual([
      'projects[0].name: expected a string, got a number (quote it, e.g. "2024": YAML reads unquoted digits as a number)',
      'projects[0].clusters[0].name: expected a string, got a boolean (quote it: "true")',
    ]);
    expect(parsePolicy(`projects: [{name: "2024", id: ${ID}, clusters: [{name: "true"}]}]`, 'test.yaml').projects[0]?.name).toBe('2024');
  });

  it('refuses an empty channels list (it would refuse every channel), saying to leave the key out', () => {
    expect(problemsOf(`projects: [{name: a, id: ${ID}, clusters: [{name: x}]}]\nchannels: []`)).toEqual([
      'channels: list at least one channel, or leave the key out (then any channel may be used)',
    ]);
  });

  it('bounds the approval window to a day, at every level', () => {
    const text = (top: number, cluster: number) => `projects: [{name: a, id: ${ID}, clusters: [{name: x, approval: {expiresAfterMinutes: ${cluster}}}]}]\napproval: {expiresAfterMinutes: ${top}}`;
    expect(problemsOf(text(1e12, 1441))).toEqual([
      'projects[0].clusters[0].approval.expiresAfterMinutes: must be at most 1440 (a day), got 1441',
      'approval.expiresAfterMinutes: must be at most 1440 (a day), got 1000000000000',
    ]);
    expect(parsePolicy(text(1440, 1440), 'test.yaml').approval.expiresAfterMinutes).toBe(1440);
  });

  it('formats paths', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['projects', 0, 'clusters', 1, 'type'])).toBe('projects[0].clusters[1].type');
  });
});

describe('approvals that can never be given', () => {
  const policy = (approvers: string, required: number) => `
projects:
  - name: shop
    id: 5e2211c17a3e5a48f5497de3
    clusters:
      - name: orders
requesters: [U0REQ]
approvers: ${approvers}
approval: { required: ${required} }
`;

  it('refuses a cluster that needs more approvals than it has approvers', () => {
    expect(() => parsePolicy(policy('[U0ONE]', 2), 'p.yaml')).toThrow(/projects\[0\]\.clusters\[0\] \(shop\/orders\): needs 2 approval\(s\) but only 1 approver\(s\)/);
  });

  it('accepts it when a user group may hold more people, or when nobody approves (a source-only cluster)', () => {
    expect(parsePolicy(policy('[U0ONE, S0GROUP]', 3), 'p.yaml').projects).toHaveLength(1);
    expect(parsePolicy(policy('[]', 2), 'p.yaml').projects).toHaveLength(1);
  });
});
