// `--check --online` against the fake Slack and the fake Atlas (real Digest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { createAtlasClient } from '../../src/atlas/client.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { runPreflight } from '../../src/preflight.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';

const G = '5e2211c17a3e5a48f5497de3';
let atlas: FakeAtlas;
let slack: FakeSlack;

beforeAll(async () => {
  atlas = await startFakeAtlas();
  atlas.addCluster({ groupId: G, name: 'orders', type: 'flex', snapshots: 2 });
  atlas.addCluster({ groupId: G, name: 'ledger', type: 'dedicated', snapshots: 3 });
  atlas.addCluster({ groupId: G, name: 'vault', type: 'dedicated', snapshots: 1, pitEnabled: true, restoreWindowDays: 5 });
  atlas.addCluster({ groupId: G, name: 'flexy', type: 'flex', snapshots: 1 });
  slack = await startFakeSlack({ socketMode: { appToken: 'xapp-1-preflight', connectionUrl: () => 'ws://127.0.0.1:1/never-connected' } });
});
afterAll(async () => {
  await slack?.close();
  await atlas?.close();
});

const policy = (clusters: string) =>
  parsePolicy(`projects:\n  - name: shop\n    id: ${G}\n    clusters: ${clusters}\nrequesters: [U0REQ]\napprovers: [U0APP]\n`, 'p.yaml');

function deps(opts: { privateKey?: string; token?: string } = {}) {
  return {
    atlas: createAtlasClient({ baseUrl: atlas.url, auth: { kind: 'digest', publicKey: atlas.publicKey, privateKey: opts.privateKey ?? atlas.privateKey }, retryPolicy: { maxAttempts: 1 } }),
    slack: new webApi.WebClient(opts.token ?? slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
  };
}

describe('preflight', () => {
  it('in Socket Mode, asks Slack for a connection with the app-level token: ok, or FAIL naming SLACK_APP_TOKEN', async () => {
    const good = await runPreflight({ policy: policy('[{ name: orders, type: flex }]'), ...deps(), slackAppToken: 'xapp-1-preflight' });
    expect(good.ok).toBe(true);
    expect(good.lines).toContain('ok   Slack: the app-level token opens Socket Mode connections');
    const wrong = await runPreflight({ policy: policy('[{ name: orders, type: flex }]'), ...deps(), slackAppToken: 'xapp-1-revoked' });
    expect(wrong.ok).toBe(false);
    expect(wrong.lines).toContain('FAIL Slack: apps.connections.open refused the app-level token (invalid_auth): check SLACK_APP_TOKEN (an xapp- token with connections:write, of this app)');
    // HTTP mode has no app token: nothing asked.
    const http = await runPreflight({ policy: policy('[{ name: orders, type: flex }]'), ...deps() });
    expect(http.lines.some((l) => l.includes('app-level token'))).toBe(false);
  });

  it('reports every cluster with its detected type and snapshot count when all is well', async () => {
    const result = await runPreflight({ policy: policy('[{ name: orders, type: flex }, { name: ledger }]'), ...deps() });
    expect(result.ok).toBe(true);
    expect(result.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ok {3}Slack: token works/),
        'ok   Atlas: shop/orders is flex, 2 snapshot(s), 2 restorable',
        'ok   Atlas: shop/ledger is dedicated, 3 snapshot(s), 3 restorable',
      ]),
    );
  });

  it('checks each Slack user group the policy names: members (ok), none (warn), unknown to Slack (FAIL)', async () => {
    slack.setUsergroup('S0ONCALL01', ['U0REQ', 'U0REQ2']);
    slack.setUsergroup('S0EMPTY001', []);
    const groups = parsePolicy(
      `projects:\n  - name: shop\n    id: ${G}\n    approvers: [S0EMPTY001]\n    clusters: [{ name: orders, requesters: [S0TYPO0001] }]\nrequesters: [U0REQ, S0ONCALL01]\napprovers: [U0APP]\n`,
      'p.yaml',
    );
    const result = await runPreflight({ policy: groups, ...deps() });
    expect(result.ok).toBe(false);
    expect(result.lines).toEqual(
      expect.arrayContaining([
        'ok   Slack: user group S0ONCALL01 has 2 member(s)',
        'warn Slack: user group S0EMPTY001 (projects[0].approvers) has no members: nobody can request or approve through it',
        "FAIL Slack: the policy names user group S0TYPO0001 (projects[0].clusters[0].requesters), which Slack doesn't know (no_such_subteam): fix or remove the id. Until then it counts as a group of nobody: nobody can request or approve through it",
      ]),
    );
  });

  it('a user group Slack did not list for another reason: said to run the check again, not to fix a scope', async () => {
    slack.setUsergroup('S0ONCALL01', ['U0REQ']);
    slack.failNext('usergroups.users.list', 'internal_error', 1);
    const groups = parsePolicy(`projects:\n  - name: shop\n    id: ${G}\n    clusters: [{ name: orders }]\nrequesters: [S0ONCALL01]\napprovers: [U0APP]\n`, 'p.yaml');
    const lines = (await runPreflight({ policy: groups, ...deps() })).lines;
    expect(lines).toContain('FAIL Slack: could not list user group S0ONCALL01 (internal_error): Slack did not answer; run --check --online again');
    slack.failNext('usergroups.users.list', 'plan_upgrade_required', 1);
    const planLines = (await runPreflight({ policy: groups, ...deps() })).lines;
    expect(planLines).toContain('FAIL Slack: could not list user group S0ONCALL01 (plan_upgrade_required): this Slack plan has no user groups: name users instead of S… ids');
  });

  it('names what is wrong: a bad Slack token, a wrong Atlas key, an unknown cluster, a wrong type in the policy', async () => {
    const wrongType = await runPreflight({ policy: policy('[{ name: ledger, type: flex }, { name: nosuch }]'), ...deps() });
    expect(wrongType.ok).toBe(false);
    expect(wrongType.lines.join('\n')).toContain('FAIL Atlas: shop/ledger is a dedicated cluster but the policy says type: flex');
    expect(wrongType.lines.join('\n')).toMatch(/FAIL Atlas: shop\/nosuch: ATLAS_CLUSTER_NOT_FOUND/);

    const badKeys = await runPreflight({ policy: policy('[{ name: orders }]'), ...deps({ privateKey: 'wrong', token: 'xoxb-wrong' }) });
    expect(badKeys.ok).toBe(false);
    expect(badKeys.lines.join('\n')).toMatch(/FAIL Slack: auth.test failed \(invalid_auth\)/);
    expect(badKeys.lines.join('\n')).toMatch(/FAIL Atlas: shop\/orders: .*401|FAIL Atlas: shop\/orders: .*key/i);
  });

  it('says per cluster whether point in time is available (with its window) and a safety snapshot possible, against the policy', async () => {
    const result = await runPreflight({
      policy: policy('[{ name: vault, safetySnapshot: { mode: required, retentionInDays: 3 } }, { name: ledger }, { name: orders, type: flex, safetySnapshot: { mode: offered } }]'),
      ...deps(),
    });
    expect(result.ok).toBe(true); // warnings don't fail the check
    expect(result.lines).toEqual(
      expect.arrayContaining([
        'ok   Atlas: shop/vault point in time: available, 5 days back from now',
        'ok   Atlas: shop/vault safety snapshot: possible (dedicated); policy: required, kept 3 days',
        expect.stringMatching(/^warn Atlas: shop\/ledger point in time: off \(continuous cloud backup is not enabled\)/),
        'ok   Atlas: shop/ledger safety snapshot: possible (dedicated); policy: off',
        'info Atlas: shop/orders point in time: not available (flex clusters have no continuous cloud backup)',
        "warn Atlas: shop/orders safety snapshot: not possible (flex); the policy offers one, and the form will say it isn't available",
      ]),
    );
  });

  it('FAIL when the policy requires a safety snapshot of a cluster that turns out to be Flex (type left to detection)', async () => {
    const result = await runPreflight({ policy: policy('[{ name: flexy, safetySnapshot: { mode: required } }]'), ...deps() });
    expect(result.ok).toBe(false);
    expect(result.lines.join('\n')).toContain('FAIL Atlas: shop/flexy safety snapshot: the policy requires one, but shop/flexy is flex and Atlas takes on-demand snapshots of dedicated clusters only');
  });

  it('FAIL naming the scopes the token lacks: channels:read and groups:read besides the first four', async () => {
    const oldScopes = await startFakeSlack({ scopes: ['commands', 'chat:write', 'users:read', 'usergroups:read'] });
    const allScopes = await startFakeSlack({ scopes: ['commands', 'chat:write', 'users:read', 'usergroups:read', 'channels:read', 'groups:read'] });
    try {
      const slackOf = (fake: FakeSlack) => new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
      const lacking = await runPreflight({ policy: policy('[{ name: orders }]'), ...deps(), slack: slackOf(oldScopes) });
      expect(lacking.ok).toBe(false);
      expect(lacking.lines).toContain("FAIL Slack: the bot token lacks scope(s) channels:read, groups:read: add them in the app's OAuth settings and reinstall");
      const granted = await runPreflight({ policy: policy('[{ name: orders }]'), ...deps(), slack: slackOf(allScopes) });
      expect(granted.ok).toBe(true);
      expect(granted.lines).toContain('ok   Slack: scopes commands, chat:write, users:read, usergroups:read, channels:read, groups:read');
    } finally {
      await oldScopes.close();
      await allScopes.close();
    }
  });
});
