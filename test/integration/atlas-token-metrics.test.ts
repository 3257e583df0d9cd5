// A service account's token requests are Atlas calls like any other in the metrics (`POST oauth/token`): a refused
// client secret or an unreachable token endpoint shows in atlas_restore_atlas_calls_total, where the alerts on Atlas
// refusing the bot look. Before, only the API calls after a token were counted.
import { describe, expect, it } from 'vitest';
import { atlasEndpointLabel, createMetrics } from '../../src/http/metrics.js';
import type { AtlasResponseInfo } from '../../src/atlas/atlas-transport.js';
import { createAtlasClient } from '../../src/atlas/client.js';
import { startFakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const cluster = { groupId: GROUP, clusterName: 'orders', type: 'flex' as const };

async function callWith(secret: (real: string) => string): Promise<{ answers: AtlasResponseInfo[]; metrics: string }> {
  const fake = await startFakeAtlas();
  try {
    fake.addCluster({ groupId: GROUP, name: 'orders', type: 'flex', snapshots: 1 });
    const metrics = createMetrics();
    const answers: AtlasResponseInfo[] = [];
    const client = createAtlasClient({
      baseUrl: fake.url,
      auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: secret(fake.clientSecret) },
      retryPolicy: { sleep: async () => undefined },
      onResponse: (info) => {
        answers.push(info);
        metrics.atlasAnswer({ endpoint: atlasEndpointLabel(info.method, info.path), status: info.status, rateLimit: info.rateLimit });
      },
    });
    await client.listSnapshots(cluster).catch(() => undefined);
    return { answers, metrics: await metrics.text() };
  } finally {
    await fake.close();
  }
}

describe('service-account token requests in the metrics', () => {
  it('a token fetched: counted as POST oauth/token 200, before the API call it authorises', async () => {
    const { answers, metrics } = await callWith((real) => real);
    expect(answers.map((a) => `${a.method} ${a.path.split('?')[0]} ${a.status}`)[0]).toBe('POST /api/oauth/token 200');
    expect(metrics).toMatch(/^atlas_restore_atlas_calls_total\{endpoint="POST oauth\/token",status="200"\} 1$/m);
  });

  it('a refused client secret: counted as POST oauth/token 401', async () => {
    const { metrics } = await callWith(() => 'not-the-secret');
    expect(metrics).toMatch(/^atlas_restore_atlas_calls_total\{endpoint="POST oauth\/token",status="401"\} [1-9]/m);
  });
});
