// Run as a child process (node --import tsx), so that NODE_EXTRA_CA_CERTS can make it trust a test CA: sends one
// restore-job POST with the real Atlas client to ATLAS_BASE_URL (service-account auth) and prints on stdout, as JSON,
// what the POST failed with and how a restore's submission classifies it.
import { createAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { classifyAtlasError } from '../../src/restore/classify-atlas-error.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const client = createAtlasClient({
  baseUrl: process.env.ATLAS_BASE_URL!,
  auth: { kind: 'serviceAccount', clientId: 'mdb_sa_id_test', clientSecret: 'mdb_sa_sk_test' },
  timeoutMs: 5000,
});
try {
  const job = await client.createRestoreJob({
    source: { groupId: GROUP, clusterName: 'orders', type: 'dedicated' },
    snapshotId: '6a0000000000000000000001',
    target: { groupId: GROUP, clusterName: 'orders-staging' },
  });
  process.stdout.write(JSON.stringify({ created: job.id }));
} catch (err) {
  const errorCode = err instanceof AtlasApiError ? err.errorCode : String(err);
  process.stdout.write(JSON.stringify({ errorCode, verdict: classifyAtlasError(err).kind }));
}
