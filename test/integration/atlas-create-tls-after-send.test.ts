// A TLS error is proof that nothing was sent only when it ends the handshake (a certificate the bot doesn't trust).
// The same OpenSSL error can end a connection after the request went out: something between the bot and Atlas (a
// broken proxy) answering a delivered POST with bytes that aren't TLS ("wrong version number"). For the restore-job
// POST that must be an unknown outcome (look for the job), never "nothing was sent" (which posts it again: a second
// restore). The fault is real: a TLS server that takes the POST and then writes plain bytes on the raw connection; the
// client runs in a child process that trusts the server's CA (NODE_EXTRA_CA_CERTS, read at start only).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates } from '../helpers/make-certificates.js';
import { skipUnless } from '../helpers/redis-servers.js';

const hasOpenssl = skipUnless('atlas-create-tls-after-send', ['openssl'], 'it makes the certificate of the server the child trusts');

describe.skipIf(!hasOpenssl)('a restore-job POST whose connection breaks with a TLS error after it was delivered', () => {
  let dir: string;
  let ca: string;
  let server: Server;
  let url: string;
  const posts: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atlas-restore-tls-after-'));
    const paths = makeCertificates(dir);
    ca = paths.ca;
    const key = readFileSync(paths.key);
    const cert = readFileSync(paths.cert);
    server = createServer((raw) => {
      const tls = new TLSSocket(raw, { isServer: true, key, cert });
      let seen = '';
      tls.on('error', () => undefined);
      tls.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        const end = seen.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
        if (seen.length < end + 4 + length) return;
        const line = seen.slice(0, seen.indexOf('\r\n'));
        if (line.startsWith('POST /api/oauth/token')) {
          const body = JSON.stringify({ access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 });
          tls.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
          return;
        }
        posts.push(line);
        // The POST arrived whole. The answer comes as plain bytes on the raw connection: not TLS.
        raw.write('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is an unknown outcome to look for, not a refusal to post again', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/create-restore-job-child.ts'], {
      env: { ...process.env, ATLAS_BASE_URL: url, NODE_EXTRA_CA_CERTS: ca },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(posts).toEqual([expect.stringMatching(/^POST \/api\/atlas\/v2\/groups\/.*\/restoreJobs HTTP\/1\.1$/)]);
    expect(JSON.parse(out)).toEqual({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', verdict: 'unknown' });
  });
});
