// Throwaway certificates made with openssl, for the tests of TLS to Redis: a CA, and a server certificate it signed
// (by default for 127.0.0.1 and localhost), valid for a day.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './redis-servers.js';

/**
 * Writes ca.crt, server.crt and server.key (and openssl's by-products) into `dir`, and returns their paths.
 * `san`: the server certificate's subjectAltName, e.g. `DNS:localhost` for one that names only a host (as managed
 * clusters' certificates do while their nodes announce IPs).
 */
export function makeCertificates(dir: string, opts: { san?: string } = {}): { ca: string; cert: string; key: string } {
  const at = (name: string) => join(dir, name);
  run('openssl', ['req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', '/CN=atlas-restore test CA']);
  run('openssl', ['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(at('san.ext'), `subjectAltName=${opts.san ?? 'IP:127.0.0.1,DNS:localhost'}\n`);
  run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('san.ext')]);
  return { ca: at('ca.crt'), cert: at('server.crt'), key: at('server.key') };
}
