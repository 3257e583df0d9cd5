// The Atlas client's HTTP exchange against a real server on 127.0.0.1: whole answers, the timeout over the whole
// exchange (also while the body trickles), a connection cut in the middle of the body, keep-alive reuse.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTimeoutError, sendHttpRequest } from '../../src/atlas/send-http-request.js';

let server: http.Server;
let base: string;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; socket: number }[] = [];
const sockets = new Map<object, number>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: sockets.get(req.socket)! });
      if (req.url === '/ok') {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.writeHead(201, { 'Content-Type': 'application/json', 'Ratelimit-Remaining': '99' });
        res.end('{"é":"ü"}');
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/trickle') {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('{"partial":');
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('{"partial":', () => req.socket.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('sendHttpRequest', () => {
  it('sends method, headers and body, and reads the whole answer (status, headers in any case, UTF-8 body)', async () => {
    const answer = await sendHttpRequest(new URL('/ok', base), { method: 'POST', headers: { Accept: 'application/json', 'X-Test': 'yes' }, body: '{"ä":1}', timeoutMs: 2000 });
    expect(answer.status).toBe(201);
    expect(answer.ok).toBe(true);
    expect(answer.text).toBe('{"é":"ü"}');
    expect(answer.headers.get('ratelimit-remaining')).toBe('99');
    expect(answer.headers.get('RateLimit-Remaining')).toBe('99');
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(answer.headers.get('retry-after')).toBeNull();
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/ok', body: '{"ä":1}' });
    expect(request.headers['x-test']).toBe('yes');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"ä":1}')));
  });

  it('reuses the connection for the next request', async () => {
    await sendHttpRequest(new URL('/ok', base), { method: 'GET', headers: {}, timeoutMs: 2000 });
    await sendHttpRequest(new URL('/ok', base), { method: 'GET', headers: {}, timeoutMs: 2000 });
    const [a, b] = seen.slice(-2);
    expect(a!.socket).toBe(b!.socket);
  });

  it('sends a request that asks for a fresh connection on a new one, and closes it after the answer', async () => {
    await sendHttpRequest(new URL('/ok', base), { method: 'GET', headers: {}, timeoutMs: 2000 });
    await sendHttpRequest(new URL('/ok', base), { method: 'POST', headers: {}, body: '{}', timeoutMs: 2000, freshConnection: true });
    await sendHttpRequest(new URL('/ok', base), { method: 'GET', headers: {}, timeoutMs: 2000 });
    const [before, fresh, after] = seen.slice(-3);
    expect(fresh!.socket).not.toBe(before!.socket);
    expect(fresh!.headers.connection).toBe('close');
    expect(after!.socket).toBe(before!.socket); // the pooled connection is still there for the others
  });

  it('gives up with a TimeoutError when no answer comes', async () => {
    const err = await sendHttpRequest(new URL('/hang', base), { method: 'GET', headers: {}, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('counts the body in the timeout: headers that came in time do not make a trickling body wait forever', async () => {
    const err = await sendHttpRequest(new URL('/trickle', base), { method: 'GET', headers: {}, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
  });

  it('a connection cut in the middle of the body is an error, never a partial answer', async () => {
    const err = await sendHttpRequest(new URL('/cut', base), { method: 'GET', headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(HttpTimeoutError);
    expect((err as { code?: string }).code).toBe('ECONNRESET');
  });

  it('a refused connection carries ECONNREFUSED (the create path relies on it: nothing was sent)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await sendHttpRequest(new URL(`http://127.0.0.1:${port}/`), { method: 'POST', headers: {}, body: '{}', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(sendHttpRequest(new URL('ftp://127.0.0.1/'), { method: 'GET', headers: {}, timeoutMs: 200 })).rejects.toThrow(/unsupported protocol ftp:/);
  });
});
