// A dedicated cluster with cloud backup off (`backupEnabled: false`, recorded for `cluster-29`): Atlas can take no
// on-demand snapshot of it, so `--check --online` doesn't call a safety snapshot possible there, and says what the
// policy's wish for one means. Against the fake Slack and the fake Atlas (real Digest, real HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { createAtlasClient } from '../../src/atlas/client.js';
import { toClusterDescription } from '../../src/atlas/describe-cluster.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { runPreflight } from '../../src/preflight.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { loadAtlasRecordings } from '../helpers/atlas-recordings.js';

const G = '5e2211c17a3e5a48f5497de3';
let atlas: FakeAtlas;
let slack: FakeSlack;

beforeAll(async () => {
  atlas = await startFakeAtlas();
  atlas.addCluster({ groupId: G, name: 'nobackup', type: 'dedicated', snapshots: 0, backupEnabled: false });
  atlas.addCluster({ groupId: G, name: 'ledger', type: 'dedicated', snapshots: 1 });
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack?.close();
  await atlas?.close();
});

function check(clusters: string) {
  return runPreflight({
    policy: parsePolicy(`projects:\n  - name: shop\n    id: ${G}\n    clusters: ${clusters}\nrequesters: [U0REQ]\napprovers: [U0APP]\n`, 'p.yaml'),
    atlas: createAtlasClient({ baseUrl: atlas.url, auth: { kind: 'digest', publicKey: atlas.publicKey, privateKey: atlas.privateKey }, retryPolicy: { maxAttempts: 1 } }),
    slack: new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
  });
}

describe('a dedicated cluster with cloud backup off', () => {
  it('is what Atlas recorded for cluster-29, and what the fake answers for it', async () => {
    const recorded = loadAtlasRecordings().find((r) => r.key === 'head TestSetup/Describe_Cluster/GET_clusters_cluster-29_2')!;
    expect(toClusterDescription('dedicated', recorded.json, 'GET cluster-29')).toMatchObject({ backupEnabled: false, pitEnabled: false });
    const client = createAtlasClient({ baseUrl: atlas.url, auth: { kind: 'digest', publicKey: atlas.publicKey, privateKey: atlas.privateKey } });
    expect(await client.describeCluster({ groupId: G, clusterName: 'nobackup', type: 'dedicated' })).toMatchObject({ backupEnabled: false, pitEnabled: false });
  });

  it('preflight: a required safety snapshot FAILs, an offered one warns, none is called possible; point in time says why it is off', async () => {
    const required = await check('[{ name: nobackup, safetySnapshot: { mode: required } }, { name: ledger, safetySnapshot: { mode: required } }]');
    expect(required.ok).toBe(false);
    const text = required.lines.join('\n');
    expect(text).toContain('FAIL Atlas: shop/nobackup safety snapshot: the policy requires one, but cloud backup is off for shop/nobackup');
    expect(text).not.toContain('shop/nobackup safety snapshot: possible');
    expect(text).toContain('ok   Atlas: shop/ledger safety snapshot: possible (dedicated); policy: required, kept');
    expect(text).toContain('warn Atlas: shop/nobackup point in time: off (cloud backup is off for this cluster');

    const offered = await check('[{ name: nobackup, safetySnapshot: { mode: offered } }]');
    expect(offered.ok).toBe(true);
    expect(offered.lines).toContain("warn Atlas: shop/nobackup safety snapshot: not possible (cloud backup is off); the policy offers one, and the form will say it isn't available; turn on cloud backup for it in Atlas to have it");
    const off = await check('[{ name: nobackup }]');
    expect(off.lines).toContain('ok   Atlas: shop/nobackup safety snapshot: not possible (cloud backup is off); policy: off');
  });
});
