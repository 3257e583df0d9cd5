// A forwarding HTTP proxy in front of the fake Atlas that spoils one authentication leg: the unsigned Digest request
// (no Authorization header) or a signed one. The fake's own faults act only after a request is authenticated; this is
// what an egress proxy or a dropped connection does to the leg before, for real, on the wire.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './fake-atlas-http.js';

export type LegFaultKind =
  /** The connection is dropped before the request is passed on: the fake never sees it. */
  | 'reset'
  /** The proxy answers this status itself with a web page, the fake never sees the request. */
  | 'status'
  /** Never answered, never passed on (the client's timeout ends it). */
  | 'hang'
  /** Passed on and answered by the fake, then the connection is dropped before the answer reaches the client. */
  | 'dropAnswer';

export interface LegFault {
  kind: LegFaultKind;
  /** Which leg: one without an Authorization header, or one with one (Digest, Bearer, or the token request's Basic). */
  leg: 'unsigned' | 'signed';
  method?: string | undefined;
  /** Only legs whose path contains this (e.g. '/api/oauth/token'). */
  pathIncludes?: string | undefined;
  /** For 'status' (default 502). */
  status?: number | undefined;
  /** How many matching legs it spoils (default 1). */
  count?: number | undefined;
}

export interface ProxiedLeg {
  method: string;
  path: string;
  signed: boolean;
  /** The fault applied, if any. */
  fault?: LegFaultKind | undefined;
  /** The fake's status, when the leg was passed on and answered. */
  status?: number | undefined;
}

export interface AuthLegProxy {
  url: string;
  legs: ProxiedLeg[];
  inject(fault: LegFault): void;
  /** Called with each answer the fake gave, before it is passed back (e.g. to move the fake's clock). */
  onAnswer(listener: (leg: ProxiedLeg) => void): void;
  close(): Promise<void>;
}

export async function startAuthLegProxy(targetUrl: string): Promise<AuthLegProxy> {
  const target = new URL(targetUrl);
  let faults: { fault: LegFault; remaining: number }[] = [];
  const listeners: ((leg: ProxiedLeg) => void)[] = [];
  const legs: ProxiedLeg[] = [];

  function takeFault(leg: ProxiedLeg): LegFault | undefined {
    const hit = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.fault.leg === 'signed') === leg.signed &&
        (f.fault.method === undefined || f.fault.method.toUpperCase() === leg.method) &&
        (f.fault.pathIncludes === undefined || leg.path.includes(f.fault.pathIncludes)),
    );
    if (!hit) return undefined;
    hit.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return hit.fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const leg: ProxiedLeg = { method: (req.method ?? 'GET').toUpperCase(), path: req.url ?? '/', signed: req.headers.authorization !== undefined };
    legs.push(leg);
    const fault = takeFault(leg);
    leg.fault = fault?.kind;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status') {
      const status = fault.status ?? 502;
      const page = `<html><body><h1>${status}</h1><p>Upstream unavailable.</p></body></html>`;
      res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(page)) });
      return void res.end(page);
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: leg.method, headers, agent: false });
    upstream.on('error', () => req.socket.destroy());
    upstream.on('response', (answer) => {
      void readBody(answer).then((text) => {
        leg.status = answer.statusCode ?? 0;
        for (const listener of listeners) listener(leg);
        if (fault?.kind === 'dropAnswer') return void req.socket.destroy();
        const out = { ...answer.headers };
        delete out['transfer-encoding'];
        out['content-length'] = String(Buffer.byteLength(text));
        res.writeHead(leg.status, out);
        res.end(text);
      });
    });
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    legs,
    inject(fault) {
      faults.push({ fault, remaining: fault.count ?? 1 });
    },
    onAnswer(listener) {
      listeners.push(listener);
    },
    async close() {
      server.closeAllConnections(); // also ends legs held by a 'hang'
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
