// Sends one logical Atlas request: authentication (Digest or bearer), a timeout on every HTTP request,
// error mapping and retries. It knows nothing about cluster types.
import type { Logger } from 'pino';
import { AtlasApiError, errorFromResponse, hintFor } from './errors.js';
import { DigestSession } from './digest-session.js';
import { readRateLimit, type RateLimit } from './rate-limit-headers.js';
import { requestFailure } from './request-failure.js';
import { sendHttpRequest, type HttpAnswer } from './send-http-request.js';
import { ServiceAccountTokens } from './service-account-token.js';
import { decideRetry, parseRetryAfter, type RetryPolicy } from './retry-policy.js';

export type AtlasAuth =
  | { kind: 'digest'; publicKey: string; privateKey: string }
  | { kind: 'serviceAccount'; clientId: string; clientSecret: string };

export interface AtlasRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean> | undefined;
  /** Sent as Accept, and as Content-Type when there is a body. */
  mediaType: string;
  body?: unknown;
  /** The POST that creates a restore job: never retried; an unclear failure becomes ATLAS_CREATE_OUTCOME_UNKNOWN. */
  createsResource?: boolean | undefined;
}

export interface AtlasResponse {
  status: number;
  body: unknown;
}

export interface TransportStats {
  /** Logical requests (one per send()). */
  calls: number;
  /** HTTP requests to the API, including Digest challenges and retries, excluding token requests. */
  httpRequests: number;
  /** 401 answers that carried a Digest challenge we adopted. */
  challenges: number;
  tokenRequests: number;
  retries: number;
}

export interface TransportOptions {
  baseUrl: string;
  auth: AtlasAuth;
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  userAgent: string;
  logger?: Logger | undefined;
  now: () => number;
  /** Called once per HTTP request to the API (metrics); never throws into the request. */
  onResponse?: ((info: AtlasResponseInfo) => void) | undefined;
}

export interface AtlasResponseInfo {
  method: string;
  path: string;
  status: number | 'timeout' | 'network';
  /** Atlas's Ratelimit-Limit / Ratelimit-Remaining of this answer; undefined when none came. */
  rateLimit?: RateLimit | undefined;
}

export interface AtlasTransport {
  send(request: AtlasRequest): Promise<AtlasResponse>;
  stats(): TransportStats;
}

/** The service account's token request, as the metrics name it (`POST oauth/token`). */
const TOKEN_REQUEST = { method: 'POST', path: '/api/oauth/token' } as const;

export function createAtlasTransport(opts: TransportOptions): AtlasTransport {
  const stats: TransportStats = { calls: 0, httpRequests: 0, challenges: 0, tokenRequests: 0, retries: 0 };
  const digest = opts.auth.kind === 'digest' ? new DigestSession(opts.auth.publicKey, opts.auth.privateKey) : undefined;
  const tokens =
    opts.auth.kind === 'serviceAccount'
      ? new ServiceAccountTokens({
          baseUrl: opts.baseUrl,
          clientId: opts.auth.clientId,
          clientSecret: opts.auth.clientSecret,
          timeoutMs: opts.timeoutMs,
          userAgent: opts.userAgent,
          now: opts.now,
          onRequest: () => stats.tokenRequests++,
          // Counted like the API's answers: a refused secret or an unreachable token endpoint shows in the metrics.
          onAnswer: (status, headers) => observe(TOKEN_REQUEST, status, headers ? readRateLimit(headers) : undefined),
          logger: opts.logger,
        })
      : undefined;
  // While the first unauthenticated request fetches a challenge, concurrent requests wait for it instead of
  // each paying their own challenge round trip.
  let priming: Promise<void> | undefined;

  async function authorizationFor(method: string, url: URL): Promise<{ header?: string; release?: () => void; token?: string }> {
    if (tokens) {
      const token = await tokens.get();
      return { header: `Bearer ${token}`, token };
    }
    const session = digest as DigestSession;
    while (!session.hasChallenge() && priming) await priming;
    const auth = session.authorize(method, url.pathname + url.search);
    if (auth) return { header: auth.header };
    let release!: () => void;
    priming = new Promise<void>((resolve) => (release = resolve));
    const done = priming;
    return {
      release: () => {
        if (priming === done) priming = undefined;
        release();
      },
    };
  }

  /** One logical request = one to three HTTP requests (after a Digest challenge, a refused token, a stale nonce). */
  function observe(request: Pick<AtlasRequest, 'method' | 'path'>, status: AtlasResponseInfo['status'], rateLimit?: RateLimit): void {
    try {
      opts.onResponse?.({ method: request.method, path: request.path, status, rateLimit });
    } catch {
      // metrics must never break a request
    }
  }

  async function sendOnce(request: AtlasRequest, label: string): Promise<AtlasResponse> {
    const url = new URL(request.path, opts.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    // A signed leg refused 401 is re-signed at most once (a nonce that expired, or one cached from an earlier call).
    let signedResent = false;
    for (let authAttempt = 1; ; authAttempt++) {
      let auth: Awaited<ReturnType<typeof authorizationFor>>;
      try {
        auth = await authorizationFor(request.method, url);
      } catch (error) {
        // No token: this request was not sent (and an earlier attempt, if any, was answered 401: refused).
        if (error instanceof Error) notSent.add(error);
        throw error;
      }
      const headers: Record<string, string> = { Accept: request.mediaType, 'User-Agent': opts.userAgent };
      if (body !== undefined) headers['Content-Type'] = request.mediaType;
      if (auth.header) headers.Authorization = auth.header;
      // Digest's first leg, sent to get a challenge: Atlas refuses a request without Authorization, so whatever becomes
      // of it (dropped, a proxy's 5xx, no answer) it created nothing. A leg signed with a cached challenge may have.
      const unsigned = digest !== undefined && auth.header === undefined;
      const failed = (error: AtlasApiError): AtlasApiError => {
        if (unsigned) notSent.add(error);
        return error;
      };
      let response: HttpAnswer;
      stats.httpRequests++;
      try {
        response = await sendHttpRequest(url, { method: request.method, headers, body, timeoutMs: opts.timeoutMs, freshConnection: request.createsResource });
      } catch (error) {
        const failure = requestFailure(error, label, opts.timeoutMs);
        // A failed certificate check happens before a byte of the request is sent.
        if (failure.errorCode === 'ATLAS_TLS_ERROR') notSent.add(failure);
        observe(request, failure.errorCode === 'ATLAS_TIMEOUT' ? 'timeout' : 'network');
        throw failed(failure);
      } finally {
        auth.release?.();
      }
      observe(request, response.status, readRateLimit(response.headers));
      // A 401 is Atlas refusing the request: sending it again can't make a second job. It is sent again when the refusal
      // is about the nonce, not the key: the unsigned leg; a signature from a cached challenge (expired, or unknown to
      // this Atlas node); once, a signed leg answered stale=true (RFC 7616: credentials fine, nonce expired).
      if (response.status === 401 && digest) {
        const challenge = response.headers.get('www-authenticate');
        const resend = unsigned || (!signedResent && (authAttempt === 1 || isStaleChallenge(challenge)));
        if (resend && digest.acceptChallenge(challenge)) {
          if (!unsigned) signedResent = true;
          stats.challenges++;
          continue;
        }
      }
      // A token that expired (or was revoked) between its fetch and this request: refused, so once with a fresh one.
      if (response.status === 401 && authAttempt === 1 && tokens && auth.token) {
        tokens.invalidate(auth.token);
        continue;
      }
      const parsed = parseBody(response.text);
      if (!response.ok) {
        const error = errorFromResponse(response.status, parsed.ok ? parsed.value : undefined, label, {
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), opts.now(), response.headers.get('date')),
          headerErrorCode: response.headers.get('x-error-code'),
        });
        throw failed(response.status === 401 ? withCredentialsHint(error, opts.auth.kind) : error);
      }
      // An answer that isn't JSON (a proxy's page, a body cut short) or a read answered with nothing did not come
      // whole from Atlas: asking again may well work, so it is a passing fault, not "Atlas changed its shape".
      const emptyRead = request.method === 'GET' && response.status !== 204 && parsed.ok && parsed.value === undefined;
      if (!parsed.ok || emptyRead) {
        const type = response.headers.get('content-type') ?? 'no Content-Type';
        throw failed(
          new AtlasApiError({
            status: response.status,
            errorCode: 'ATLAS_UNREADABLE_RESPONSE',
            detail: `the answer is ${emptyRead ? 'empty' : 'not JSON'} (${type}, ${response.text.length} characters)`,
            request: label,
          }),
        );
      }
      return { status: response.status, body: parsed.value };
    }
  }

  async function send(request: AtlasRequest): Promise<AtlasResponse> {
    stats.calls++;
    const label = `${request.method} ${request.path}`;
    for (let attempt = 1; ; attempt++) {
      try {
        return await sendOnce(request, label);
      } catch (error) {
        if (request.createsResource) throw createFailure(error, label);
        const decision = decideRetry(opts.retryPolicy, request.method, attempt, error);
        if (!decision.retry) throw error;
        stats.retries++;
        opts.logger?.warn(
          { request: label, attempt, delayMs: decision.delayMs, errorCode: (error as AtlasApiError).errorCode },
          'atlas request failed, retrying',
        );
        await opts.retryPolicy.sleep(decision.delayMs);
      }
    }
  }

  return { send, stats: () => ({ ...stats }) };
}

/** `stale=true` in a Digest challenge (quoted or not, any case). */
function isStaleChallenge(wwwAuthenticate: string | null): boolean {
  return /(?:^|[\s,])stale\s*=\s*"?true"?(?:[\s,]|$)/i.test(wwwAuthenticate ?? '');
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The API's 401 after the signed attempt: the credentials themselves. Its hint names the variables to fix, and an
 * Atlas code more specific than the status keeps its own hint.
 */
function withCredentialsHint(error: AtlasApiError, kind: AtlasAuth['kind']): AtlasApiError {
  const generic = hintFor(401, 'HTTP_401');
  if (error.hint !== generic) return error;
  const hint =
    kind === 'digest'
      ? 'Atlas rejected the bot credentials: check ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY (the API key may have been deleted, disabled or replaced).'
      : "Atlas rejected the bot credentials: the service account's fresh token was refused; check that the service account of ATLAS_CLIENT_ID still exists and has access to the project.";
  return new AtlasApiError({ status: error.status, errorCode: error.errorCode, detail: error.detail, hint, request: error.request, parameters: error.parameters });
}

/** Errors of a request Atlas cannot have acted on: no token could be had, or only the unsigned Digest leg went out. */
const notSent = new WeakSet<Error>();
/**
 * Connection errors that happen before a byte of the request is written: the name did not resolve, the host or network
 * is unreachable, the connection was refused. A create goes on a fresh connection, so these prove nothing was sent.
 */
const NOTHING_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

/**
 * A create that failed in a way that does not prove Atlas ignored it (timeout, reset, 5xx, unreadable 2xx) has an unknown
 * outcome: the caller must look for the job before posting again. A refused connection, an unknown host or a token
 * that could not be had provably sent nothing.
 */
function createFailure(error: unknown, label: string): unknown {
  if (!(error instanceof AtlasApiError) || notSent.has(error)) return error;
  const refused = error.errorCode === 'ATLAS_NETWORK_ERROR' && NOTHING_SENT_CODES.some((code) => error.detail?.includes(code));
  // A 2xx whose body can't be read: Atlas accepted it, so the job most likely exists.
  const accepted = error.status !== undefined && error.status >= 200 && error.status < 300;
  const unclear = accepted || error.errorCode === 'ATLAS_TIMEOUT' || (error.errorCode === 'ATLAS_NETWORK_ERROR' && !refused) || (error.status ?? 0) >= 500;
  if (!unclear) return error;
  return new AtlasApiError({
    status: error.status,
    errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN',
    detail: `${error.errorCode}${error.detail ? `: ${error.detail}` : ''}; the restore job may or may not exist`,
    transient: true,
    request: label,
    cause: error,
  });
}
