// Throwaway redis-server processes for tests that need a Redis of their own (TLS, Sentinel, Cluster, a bad
// eviction policy): free ports, temp dirs, readiness by polling with a bound, and a cleanup that kills every
// process and removes every dir even when the test failed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

/** The binaries among `names` that are not on PATH. */
export function missingBinaries(...names: string[]): string[] {
  return names.filter((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).error !== undefined);
}

/** Skips loudly: a test that can't run says so and why, never silently. */
export function skipUnless(file: string, binaries: string[], why: string): boolean {
  const missing = missingBinaries(...binaries);
  if (missing.length > 0) console.warn(`${file}: skipped because ${missing.map((m) => `\`${m}\``).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH (${why})`);
  return missing.length === 0;
}

/** Whether redis-server was built with TLS (a build without it does not know the tls-* directives). */
export function redisServerHasTls(): boolean {
  const r = spawnSync('redis-server', ['--port', '0', '--tls-port', '1', '--tls-cert-file', '/nonexistent', '--tls-key-file', '/nonexistent'], { encoding: 'utf8', timeout: 5000 });
  return !`${r.stdout}${r.stderr}`.includes('Bad directive');
}

/** A port nobody listens on right now (the kernel's choice); startRedis retries if another process takes it first. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RedisProcess {
  port: number;
  url: string;
  dir: string;
  proc: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartRedisOptions {
  /** Arguments after the port; a config file path may come first via `configFile`. */
  args?: string[];
  /** Given: `redis-server <configFile> --port P …` (Sentinel needs a writable config file). */
  configFile?: (port: number, dir: string) => string;
  /** `--port` is this option's name; TLS servers use `--tls-port` (and `--port 0`). */
  portFlag?: '--port' | '--tls-port';
  /** How to tell the server answers (default: PING over plain TCP). */
  probe?: RedisOptions;
  /** Directory to run in (default: a new temp dir, removed by the group's cleanup). */
  dir?: string;
}

/** Every process and dir a test file started; `cleanup()` in afterAll ends them all. */
export class RedisGroup {
  private readonly procs: RedisProcess[] = [];
  private readonly dirs: string[] = [];

  tempDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `atlas-restore-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  async start(label: string, opts: StartRedisOptions = {}): Promise<RedisProcess> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const dir = opts.dir ?? this.tempDir(label);
      try {
        const started = await this.spawnOn(port, dir, opts);
        this.procs.push(started);
        return started;
      } catch (err) {
        lastError = err;
        // Someone took the port between freePort() and the bind: try another one.
        if (!String(err).includes('Address already in use')) throw err;
      }
    }
    throw lastError;
  }

  private async spawnOn(port: number, dir: string, opts: StartRedisOptions): Promise<RedisProcess> {
    const portFlag = opts.portFlag ?? '--port';
    const head = opts.configFile ? [opts.configFile(port, dir)] : [];
    const args = [...head, portFlag, String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...(opts.args ?? [])];
    const proc = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    };
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, ...opts.probe });
    probe.on('error', () => undefined); // refused until the server listens: expected while waiting
    try {
      // Poll with a bound; a server that exits (bad flag, port taken) fails the start at once, with its output.
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server on port ${port} exited (${proc.exitCode ?? proc.signalCode}): ${out.slice(-800)}`);
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        if ((await probe.ping().catch(() => '')) === 'PONG') break;
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s: ${out.slice(-800)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch (err) {
      await kill();
      throw err;
    } finally {
      probe.disconnect();
    }
    return { port, url: `redis://127.0.0.1:${port}`, dir, proc, output: () => out, kill };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill('SIGKILL').catch(() => undefined)));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command to completion (redis-cli, openssl) and throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
