// A fake Atlas Administration API on a real HTTP server: real Digest and service-account auth, the backup
// endpoints of the three cluster types, job progression, fault injection and a log of every request. It answers
// as Atlas really does where that differs from the spec: fake-atlas-reality.ts lists how, with the evidence.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAtlasStore } from './fake-atlas-data.js';
import { attachBackupState } from './fake-atlas-backup-state.js';
import { advanceCollectionJob, renderCollectionJob, renderNamespaceStates } from './fake-atlas-collection-jobs.js';
import { collectionJobsOf } from './fake-atlas-collections.js';
import { DigestVerifier } from './fake-atlas-digest.js';
import { flatHeaders, readBody, recordedBody } from './fake-atlas-http.js';
import { apiErrorBody, FakeAtlasHttpError } from './fake-atlas-errors.js';
import { TokenIssuer } from './fake-atlas-oauth.js';
import { FakeRateLimits, rateLimitFamily } from './fake-atlas-rate-limit.js';
import { collectionHref, handleApiRequest } from './fake-atlas-routes.js';
import { renderJob, renderSnapshot } from './fake-atlas-shapes.js';
import type { FakeAtlas, FakeAtlasOptions, FakeAtlasStats, Fault, RecordedRequest } from './fake-atlas-types.js';

export type { FakeAtlas, FakeAtlasOptions, FakeAtlasStats, FakeCluster, Fault, JobTarget, RecordedRequest } from './fake-atlas-types.js';

const TOKEN_PATH = '/api/oauth/token';
const DEFAULT_FAULT_CODES: Record<number, string> = { 429: 'RATE_LIMITED', 500: 'UNEXPECTED_ERROR', 503: 'SERVICE_UNAVAILABLE' };

interface ActiveFault { fault: Fault; remaining: number }

/**
 * REALITY.versionedMediaTypeCharset: a versioned answer says `application/vnd.atlas.<date>+json;charset=utf-8`,
 * an empty 204 too; plain `application/json` answers (errors, v1.0) carry no charset.
 */
export function answerContentType(contentType: string): string {
  return /^application\/vnd\.atlas\.[^;]+$/.test(contentType) ? `${contentType};charset=utf-8` : contentType;
}

function send(res: ServerResponse, record: RecordedRequest, status: number, contentType: string, body?: unknown, headers: Record<string, string> = {}): void {
  record.status = status;
  const payload = body === undefined ? '' : JSON.stringify(body);
  const versioned = answerContentType(contentType) !== contentType;
  record.answerHeaders = {
    ...headers,
    ...(payload ? { 'Content-Type': answerContentType(contentType), 'Content-Length': String(Buffer.byteLength(payload)) } : versioned ? { 'Content-Type': answerContentType(contentType) } : {}),
  };
  res.writeHead(status, record.answerHeaders);
  res.end(payload);
}

/** What an intercepting proxy or a load balancer's error page looks like: HTML, none of Atlas's headers. */
function sendHtml(res: ServerResponse, record: RecordedRequest, status: number): void {
  const page = `<html><head><title>${status}</title></head><body><h1>${status}</h1><p>Request blocked by proxy.</p></body></html>`;
  record.status = status;
  record.answerHeaders = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(page)) };
  res.writeHead(status, record.answerHeaders);
  res.end(page);
}

/** The first half of the JSON answer in a well-formed HTTP message: what a proxy that cut the body passes on. */
function sendTruncated(res: ServerResponse, record: RecordedRequest, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void {
  const whole = JSON.stringify(body ?? {});
  const payload = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
  record.status = status;
  record.answerHeaders = { ...headers, 'Content-Type': answerContentType(contentType), 'Content-Length': String(Buffer.byteLength(payload)) };
  res.writeHead(status, record.answerHeaders);
  res.end(payload);
}

/** An ApiError answer: application/json, its code repeated in X-Error-Code (REALITY.errorHeaders). */
function sendError(res: ServerResponse, record: RecordedRequest, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  send(res, record, status, 'application/json', body, { ...headers, 'X-Error-Code': String(body['errorCode']) });
}

export async function startFakeAtlas(opts: FakeAtlasOptions = {}): Promise<FakeAtlas> {
  const now = opts.now ?? Date.now;
  const publicKey = opts.publicKey ?? 'pubkey';
  const privateKey = opts.privateKey ?? 'privkey-secret';
  const clientId = opts.clientId ?? 'mdb_sa_id_fake';
  const clientSecret = opts.clientSecret ?? 'mdb_sa_sk_secret';
  const store = new FakeAtlasStore(now, opts.stepsPerState ?? 1);
  const backup = attachBackupState(store, { now, stepsPerState: opts.stepsPerState ?? 1 });
  const digest = new DigestVerifier({ username: publicKey, password: privateKey }, opts.nonceTtlMs ?? 300_000, now);
  const tokens = new TokenIssuer({ id: clientId, secret: clientSecret }, opts.tokenTtlSeconds ?? 3600, now);
  const rateLimits = new FakeRateLimits(now);
  const requests: RecordedRequest[] = [];
  let faults: ActiveFault[] = [];
  let stats: FakeAtlasStats = { challenges: 0, authorized: 0, rejected: 0, tokenRequests: 0 };
  let baseUrl = '';
  let closing: Promise<void> | undefined;

  function takeFault(method: string, pathname: string, isApi: boolean): Fault | undefined {
    const hit = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.fault.method === undefined || f.fault.method.toUpperCase() === method) &&
        (f.fault.pathIncludes === undefined ? isApi : pathname.includes(f.fault.pathIncludes)),
    );
    if (!hit) return undefined;
    hit.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return hit.fault;
  }

  /** Answers (or deliberately does not answer) a request picked by an injected fault. */
  function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, record: RecordedRequest, limits: Record<string, string> = {}): void {
    if (fault.kind === 'hang') return; // never answer; the client's abort (or close()) ends the socket
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'html') return sendHtml(res, record, fault.status ?? 200);
    if (fault.kind === 'truncated') return sendTruncated(res, record, fault.status ?? 500, 'application/json', apiErrorBody(fault.status ?? 500, 'UNEXPECTED_ERROR', 'Injected fault.'));
    const status = fault.status ?? 500;
    const headers: Record<string, string> = { ...limits, ...(status === 429 && 'Ratelimit-Remaining' in limits ? { 'Ratelimit-Remaining': '0' } : {}) };
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
    const body = apiErrorBody(status, fault.errorCode ?? DEFAULT_FAULT_CODES[status] ?? 'FAKE_INJECTED_FAULT', fault.detail ?? `Injected fault: ${status}.`);
    sendError(res, record, status, body, headers);
  }

  function unauthorized(res: ServerResponse, record: RecordedRequest, detail: string, wwwAuthenticate: string, errorCode = 'USER_UNAUTHORIZED'): void {
    send(res, record, 401, 'application/json', apiErrorBody(401, errorCode, detail), { 'WWW-Authenticate': wwwAuthenticate });
  }
  /** REALITY.digestChallengeBody: the body of a Digest 401 as recorded, errorCode UNEXPECTED_ERROR and no parameters. */
  function digestUnauthorized(res: ServerResponse, record: RecordedRequest, detail: string, wwwAuthenticate: string): void {
    const { parameters: _none, ...body } = apiErrorBody(401, 'UNEXPECTED_ERROR', detail);
    send(res, record, 401, 'application/json', body, { 'WWW-Authenticate': wwwAuthenticate });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req),
      body: recordedBody(rawBody),
      status: 0,
      answerHeaders: {},
      authorized: false,
      receivedAt: Date.now(),
    };
    requests.push(record);

    if (url.pathname === TOKEN_PATH) {
      stats.tokenRequests += 1;
      const fault = takeFault(method, url.pathname, false);
      if (fault) return applyFault(fault, req, res, record);
      if (method !== 'POST') return send(res, record, 405, 'application/json', { error: 'invalid_request', error_description: 'Use POST.' });
      const answer = tokens.issue(req.headers.authorization, req.headers['content-type'], rawBody);
      return send(res, record, answer.status, 'application/json', answer.body, { 'Cache-Control': 'no-store' });
    }

    const authorization = req.headers.authorization;
    if (!authorization) {
      stats.challenges += 1;
      return digestUnauthorized(res, record, 'You are not authorized for this resource.', digest.challenge(false));
    }
    if (/^Bearer\s/i.test(authorization)) {
      const verdict = tokens.check(authorization);
      if (verdict !== 'ok') {
        stats.rejected += 1;
        const why = verdict === 'expired' ? 'The access token expired.' : 'The access token is not valid.';
        return unauthorized(res, record, why, `Bearer realm="MMS Public API", error="invalid_token", error_description="${why}"`);
      }
    } else {
      const verdict = /^Digest\s/i.test(authorization)
        ? digest.verify(method, req.url ?? '/', authorization)
        : { ok: false as const, stale: false, reason: 'only Digest or Bearer authorization is accepted' };
      if (!verdict.ok) {
        stats.rejected += 1;
        return digestUnauthorized(res, record, 'You are not authorized for this resource.', digest.challenge(verdict.stale));
      }
    }
    stats.authorized += 1;
    record.authorized = true;
    // Every authenticated request counts, answered or refused (REALITY.rateLimitHeaders).
    const limits = rateLimits.take(rateLimitFamily(url.pathname));

    const fault = takeFault(method, url.pathname, true);
    // 'empty2xx', 'dropAnswer', 'truncated' and 'slow' let Atlas do the work (the job exists) and spoil or delay only the answer.
    const spoilsAnswer = ['empty2xx', 'dropAnswer', 'truncated', 'slow', 'ignorePageNum'].includes(fault?.kind ?? '');
    if (fault && !spoilsAnswer) return applyFault(fault, req, res, record, limits);
    if (fault?.kind === 'slow') await (fault.until?.catch(() => undefined) ?? new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000)));

    if (fault?.kind === 'ignorePageNum') url.searchParams.delete('pageNum');
    try {
      const answer = handleApiRequest(store, { method, pathname: url.pathname, query: url.searchParams, headers: req.headers, rawBody, baseUrl });
      if (fault?.kind === 'dropAnswer') return void req.socket.destroy();
      if (fault?.kind === 'empty2xx') return send(res, record, answer.status >= 200 && answer.status < 300 ? answer.status : 200, answer.contentType, undefined, limits);
      if (fault?.kind === 'truncated') return sendTruncated(res, record, answer.status, answer.contentType, answer.body, limits);
      return send(res, record, answer.status, answer.contentType, answer.body, limits);
    } catch (err) {
      if (err instanceof FakeAtlasHttpError) return sendError(res, record, err.status, err.body(), limits);
      const detail = err instanceof Error ? err.message : String(err);
      return sendError(res, record, 500, apiErrorBody(500, 'UNEXPECTED_ERROR', `Fake Atlas bug: ${detail}`), limits);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(apiErrorBody(500, 'UNEXPECTED_ERROR', String(err))));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    publicKey,
    privateKey,
    clientId,
    clientSecret,
    requests,
    addCluster(c) {
      const record = store.addCluster(c);
      backup.configure(record, c);
      return { groupId: record.groupId, name: record.name, type: record.type };
    },
    addSnapshot(groupId, name, s) {
      return { id: store.addSnapshot(groupId, name, s).id };
    },
    snapshots(groupId, name) {
      const c = store.requireCluster(groupId, name); // newest first, whatever order the list endpoint serves
      const base = collectionHref(baseUrl, c, 'snapshots');
      return c.snapshots.map((s) => renderSnapshot(c, s, `${base}/${s.id}`));
    },
    restoreJobs(groupId, name) {
      const c = store.requireCluster(groupId, name);
      const base = collectionHref(baseUrl, c, 'restoreJobs');
      return store.jobsOf(groupId, name).map((j) => renderJob(j, `${base}/${j.id}`));
    },
    revokeTokens() {
      tokens.revokeAll();
    },
    setClusterType(groupId, name, type) {
      store.requireCluster(groupId, name).type = type;
    },
    advanceJob(jobId, to, reason) {
      store.advance(jobId, to, reason);
    },
    answerJobWith(jobId, fields) {
      const job = store.findJob(jobId) ?? backup.collectionJobs.get(jobId);
      if (!job) throw new Error(`FAKE_ATLAS_NO_JOB: no restore or collection restore job ${jobId}`);
      job.answeredWith = fields;
    },
    addRecordedRestoreJobs(source, items) {
      backup.addRecordedJobs(store.requireCluster(source.groupId, source.name), items);
    },
    seedRestoreJob(source, job) {
      const c = store.requireCluster(source.groupId, source.name);
      const snap = c.snapshots.find((s) => s.id === job.snapshotId);
      if (!snap) throw new Error(`FAKE_ATLAS_NO_SNAPSHOT: ${source.groupId}/${source.name} has no snapshot ${job.snapshotId}`);
      return { id: store.createJob(c, snap, { groupId: job.targetGroupId, name: job.targetClusterName }, job.createdAt, job.deliveryType).id };
    },
    inject(fault) {
      if (fault.kind === 'status' && fault.status === undefined) throw new Error('FAKE_ATLAS_BAD_FAULT: a status fault needs `status`');
      faults.push({ fault, remaining: fault.count ?? 1 });
    },
    configureCluster(groupId, name, backupOpts) {
      backup.configure(store.requireCluster(groupId, name), backupOpts);
    },
    namespaces(groupId, name) {
      return Object.fromEntries(backup.infoOf(store.requireCluster(groupId, name)).namespaces);
    },
    advanceOnDemandSnapshot(snapshotId, to) {
      const record = backup.onDemand.get(snapshotId);
      if (!record) throw new Error(`FAKE_ATLAS_NO_SNAPSHOT: no on-demand snapshot ${snapshotId}`);
      backup.moveOnDemand(record, to);
    },
    advanceCollectionJob(jobId, to, advanceOpts) {
      const job = backup.collectionJobs.get(jobId);
      if (!job) throw new Error(`FAKE_ATLAS_NO_JOB: no collection restore job ${jobId}`);
      advanceCollectionJob(backup, job, to, advanceOpts);
    },
    collectionRestoreJobs(groupId, name) {
      store.requireCluster(groupId, name);
      return collectionJobsOf({ state: backup }, groupId, name).map(renderCollectionJob);
    },
    collectionRestoreNamespaces(jobId) {
      const job = backup.collectionJobs.get(jobId);
      if (!job) throw new Error(`FAKE_ATLAS_NO_JOB: no collection restore job ${jobId}`);
      return renderNamespaceStates(job);
    },
    stats: () => ({ ...stats }),
    reset() {
      requests.length = 0;
      faults = [];
      stats = { challenges: 0, authorized: 0, rejected: 0, tokenRequests: 0 };
      rateLimits.reset();
    },
    close() {
      // Idempotent, so a test may close early and an afterEach may close again.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // also ends requests hung by a 'hang' fault
      });
      return closing;
    },
  };
}
