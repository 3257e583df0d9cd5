// A real 3-master Redis Cluster for tests, and the steps of moving one slot between masters as
// `redis-cli --cluster reshard` (and managed online resharding) do them: mark the slot IMPORTING on the
// destination and MIGRATING on the source, MIGRATE its keys, then give the slot to the destination.
// Tests run commands between the steps to see what the app does while its slot is moving.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.js';
import { run, type RedisGroup, type RedisProcess } from './redis-servers.js';

/** Certificates for a cluster that speaks only TLS (clients and the cluster bus), from makeCertificates. */
export interface ClusterTls {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Starts three masters (no replicas), joins them, and resolves once every node reports cluster_state:ok.
 * With `tls`: plain TCP off (`--port 0`), clients and the cluster bus on TLS only (`--tls-cluster yes`); the nodes
 * announce 127.0.0.1 whatever names the certificate carries.
 */
export async function startCluster(group: RedisGroup, opts: { tls?: ClusterTls } = {}): Promise<RedisProcess[]> {
  const tls = opts.tls;
  // The helper's own connections check only the chain: what the app checks is the subject of the tests.
  const adminTls = tls ? { tls: { ca: [readFileSync(tls.ca, 'utf8')], checkServerIdentity: () => undefined } } : {};
  const tlsArgs = tls
    ? ['--port', '0', '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--tls-cluster', 'yes']
    : [];
  const nodes = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const dir = group.tempDir(`cluster-${i}`);
      const args = [...tlsArgs, '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '2000', '--appendonly', 'yes'];
      return group.start(`cluster-${i}`, { dir, args, ...(tls ? { portFlag: '--tls-port' as const, probe: adminTls } : {}) });
    }),
  );
  const cliTls = tls ? ['--tls', '--cacert', tls.ca] : [];
  run('redis-cli', [...cliTls, '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (const node of nodes) {
    const admin = new Redis({ port: node.port, host: '127.0.0.1', ...adminTls });
    try {
      await waitFor(async () => /cluster_state:ok/.test(String(await admin.cluster('INFO'))), { timeoutMs: 15_000, message: `cluster_state:ok on port ${node.port}` });
    } finally {
      admin.disconnect();
    }
  }
  return nodes;
}

interface Master {
  port: number;
  id: string;
  admin: Redis;
}

/** One slot on its way from one master to another; `finish()` completes the move and closes the admin connections. */
export interface SlotMove {
  slot: number;
  from: Master;
  to: Master;
  /** MIGRATEs these keys (default: every key of the slot still on the source) to the destination. */
  migrate(keys?: string[]): Promise<void>;
  /** How many TRYAGAIN replies the source has sent so far (Redis counts them per error prefix). */
  tryAgainCount(): Promise<number>;
  /** Moves the remaining keys and gives the slot to the destination on every master. Safe to call twice. */
  finish(): Promise<void>;
}

/** Marks the slot of `key` as moving from its owner to another master: IMPORTING on the destination first, then MIGRATING on the source. */
export async function beginSlotMove(nodes: readonly RedisProcess[], key: string): Promise<SlotMove> {
  const masters: Master[] = [];
  for (const node of nodes) {
    const admin = new Redis(node.port, '127.0.0.1');
    masters.push({ port: node.port, id: String(await admin.cluster('MYID')), admin });
  }
  const slot = Number(await masters[0]!.admin.cluster('KEYSLOT', key));
  const ranges = await masters[0]!.admin.cluster('SLOTS');
  const ownerPort = ranges.find(([start, end]) => start <= slot && slot <= end)![2]![1];
  const from = masters.find((m) => m.port === ownerPort)!;
  const to = masters.find((m) => m !== from)!;
  await to.admin.cluster('SETSLOT', slot, 'IMPORTING', from.id);
  await from.admin.cluster('SETSLOT', slot, 'MIGRATING', to.id);

  const migrate = async (keys?: string[]) => {
    const moving = keys ?? ((await from.admin.cluster('GETKEYSINSLOT', slot, 1000)) as string[]);
    if (moving.length > 0) await from.admin.call('MIGRATE', '127.0.0.1', to.port, '', 0, 5000, 'KEYS', ...moving);
  };
  let finished = false;
  return {
    slot,
    from,
    to,
    migrate,
    async tryAgainCount() {
      const stats = String(await from.admin.info('errorstats'));
      return Number(/errorstat_TRYAGAIN:count=(\d+)/.exec(stats)?.[1] ?? 0);
    },
    async finish() {
      if (finished) return;
      finished = true;
      try {
        await migrate();
        // The order redis-cli uses: the destination first, so the slot is never owned by nobody.
        await to.admin.cluster('SETSLOT', slot, 'NODE', to.id);
        await from.admin.cluster('SETSLOT', slot, 'NODE', to.id);
        for (const other of masters) if (other !== from && other !== to) await other.admin.cluster('SETSLOT', slot, 'NODE', to.id);
      } catch (err) {
        // Leave no slot half-moved for the next test: back to the source, as `redis-cli --cluster fix` would.
        await to.admin.cluster('SETSLOT', slot, 'STABLE').catch(() => undefined);
        await from.admin.cluster('SETSLOT', slot, 'STABLE').catch(() => undefined);
        throw err;
      } finally {
        for (const m of masters) m.admin.disconnect();
      }
    },
  };
}
