// One HTTP exchange with the Atlas API over node:http(s) and a keep-alive agent. The tracker sends one request per
// poll of every restore in flight, and Node's fetch costs about 1.6 times the CPU of node:http per request
// (npm run bench); nothing here needs what fetch adds (streams, CORS, decompression).
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  /** A 2xx status, as fetch's Response.ok. */
  ok: boolean;
  /** Response headers by name (any case), as fetch's Headers.get: repeated ones joined with ", ", null when absent. */
  headers: { get(name: string): string | null };
  text: string;
}

export interface HttpInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** For the whole exchange: connecting, sending, the answer's headers and its body. */
  timeoutMs: number;
  /**
   * Open a connection of its own, closed after the answer. For the POST that creates a restore job: on a reused
   * connection the server may be closing, a reset would leave it unknown whether the job was created, and the bot
   * would have to look for it for minutes instead of simply sending it again.
   */
  freshConnection?: boolean | undefined;
}

/**
 * Set on an error that ended the exchange once the connection was secured (TLS handshake done, or a connection reused):
 * the request may have been delivered, whatever the error's code says. OpenSSL's `wrong version number` ends a
 * handshake with a plain-HTTP port, but also a delivered request answered with bytes that aren't TLS.
 */
export const AFTER_HANDSHAKE = Symbol('atlas-restore.afterHandshake');

export function failedAfterHandshake(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [AFTER_HANDSHAKE]?: unknown })[AFTER_HANDSHAKE] === true;
}

/** The exchange took longer than `timeoutMs`; named like fetch's, so callers map both the same way. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

// An idle connection is closed after a few seconds (as undici does): a server closes its own idle ones sooner or
// later, and a request written onto a socket the server is closing fails for nothing.
const IDLE_SOCKET_MS = 4000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

export function sendHttpRequest(url: URL, init: HttpInit): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const protocol = url.protocol === 'https:' || url.protocol === 'http:' ? url.protocol : undefined;
    if (!protocol) return reject(new TypeError(`unsupported protocol ${url.protocol} in ${url.origin}`));
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
    let settled = false;
    let secured = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (secured) Object.defineProperty(err, AFTER_HANDSHAKE, { value: true });
      reject(err);
    };
    const request = protocol === 'https:' ? https.request : http.request;
    const req = request(url, { method: init.method, headers, agent: init.freshConnection ? false : agents[protocol] });
    const timer = setTimeout(() => fail(new HttpTimeoutError(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
    req.once('socket', (socket) => {
      // A reused connection was secured long ago; a new one once its handshake (certificate check included) is done.
      if (req.reusedSocket) secured = true;
      else socket.once('secureConnect', () => (secured = true));
    });
    // `on`, not `once`: an error emitted after the first must find a listener, or it would end the process.
    req.on('error', fail);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      // A connection closed in the middle of the body: the answer is not whole.
      res.once('close', () => {
        if (!res.complete) fail(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
      });
      res.once('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status <= 299,
          headers: {
            get: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text,
        });
      });
    });
    req.end(init.body);
  });
}
