// An HTTPS server whose certificate chain ends in a throwaway CA the process doesn't trust, as a TLS-inspecting egress
// proxy presents it to a bot that lacks the proxy's CA: every request to it fails the certificate check.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificates } from './make-certificates.js';

export interface UntrustedHttpsServer {
  /** https://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** Needs openssl (makeCertificates): callers skip with skipUnless(…, ['openssl'], …) where it is missing. */
export async function startUntrustedHttpsServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<UntrustedHttpsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-restore-untrusted-'));
  const paths = makeCertificates(dir);
  // The whole chain, as an inspecting proxy sends it: its own CA, which the trust store lacks.
  const chain = `${readFileSync(paths.cert, 'utf8')}${readFileSync(paths.ca, 'utf8')}`;
  const server: Server = createServer({ key: readFileSync(paths.key), cert: chain }, onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
