// A running restore whose Atlas answers come through a TLS-inspecting egress the bot doesn't trust (a proxy put in
// front of it after the restore started): nothing heals that by itself, someone must add the proxy's CA. The thread is
// told at once, as for a rotated key or the IP access list, not after the outage delay; the restore stays open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import { skipUnless } from '../helpers/redis-servers.js';
import { startUntrustedHttpsServer, type UntrustedHttpsServer } from '../helpers/untrusted-https-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { useTrackerHarness } from './tracker-harness.js';

const world = useTrackerHarness();
const hasOpenssl = skipUnless('tracker-tls-refused', ['openssl'], 'it makes the certificate of a TLS-inspecting proxy');

describe.skipIf(!hasOpenssl)('a restore followed through a TLS-inspecting egress the bot does not trust', () => {
  let proxy: UntrustedHttpsServer;

  beforeAll(async () => {
    proxy = await startUntrustedHttpsServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('says at once what to fix (ATLAS_TLS_ERROR, NODE_EXTRA_CA_CERTS), keeps the request running and its target locked', async () => {
    const { h } = world;
    const { req } = await h.seedRunning('dedicated');
    const atlas = createAtlasClient({ baseUrl: proxy.url, auth: { kind: 'digest', publicKey: h.fake.publicKey, privateKey: h.fake.privateKey }, retryPolicy: { maxAttempts: 1 }, timeoutMs: 3000 });
    // The outage warning would come only after 15 minutes: the one that comes is the one for an operator.
    const tracker = await h.startTracker('tls', { atlas, statusUnknownAfterMinutes: 15 });
    await tracker.track(req.id);
    const warned = await waitFor(() => h.callsFor(req.id, 'accessProblem')[0], { timeoutMs: 10_000, message: 'the warning for the TLS failure' });
    expect(warned.error).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(warned.error).toContain('ATLAS_TLS_ERROR');
    expect(h.callsFor(req.id, 'statusUnknown')).toHaveLength(0);
    expect((await h.store.get(req.id))?.state).toBe('running');
    expect(await h.lockIsFree(req)).toBe(false);
  });
});
