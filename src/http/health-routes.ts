// Operational HTTP routes, mounted as Bolt custom routes on the same port as POST /slack/events:
// GET /healthz (the process is alive), GET /readyz (Redis answers, the tracker takes work, in Socket Mode the Slack socket is
// connected, the app is initialised, no shutdown yet),
// GET /metrics (Prometheus text format).
import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';

export interface Readiness {
  ready: boolean;
  reasons: string[];
  /** What an operator must hear about though the pod can take traffic (e.g. Redis lost the bot's data): in /readyz's body. */
  warnings?: string[];
}

export interface HealthRouteDeps {
  metrics: Metrics;
  isReady: () => Promise<Readiness>;
}

export interface ReadinessTracker {
  isReady(): Promise<Readiness>;
  /** Call once the app has started (Slack token verified, workers running). */
  markInitialised(): void;
  /** Call first thing on SIGTERM: the load balancer stops sending traffic while in-flight work finishes. */
  markShuttingDown(): void;
}

export const READINESS_REASONS = {
  notInitialised: 'not initialised',
  shuttingDown: 'shutting down',
  redisDown: 'redis did not take a write',
} as const;

/** Redis must answer a readiness ping within this long. */
export const REDIS_PING_TIMEOUT_MS = 1000;

/** Every method Bolt can route: registering them all lets us answer 405 instead of Bolt's 404. */
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    // Probes and scrapes must never see a cached answer.
    'Cache-Control': 'no-store',
    ...extraHeaders,
  });
  res.end(text);
}

/** A GET-only route whose handler may be async; other methods get 405, a throwing handler gets 500. */
function getRoute(path: string, handle: (res: ServerResponse) => Promise<void> | void): CustomRoute {
  return {
    path,
    method: ALL_METHODS,
    handler: (req, res) => {
      if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
        sendJson(res, 405, { status: 'method not allowed' }, { Allow: 'GET' });
        return;
      }
      Promise.resolve()
        .then(() => handle(res))
        .catch((err: unknown) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          sendJson(res, 500, { status: 'error', error: err instanceof Error ? err.message : String(err) });
        });
    },
  };
}

export function createHealthRoutes(deps: HealthRouteDeps): CustomRoute[] {
  return [
    getRoute('/healthz', (res) => sendJson(res, 200, { status: 'ok' })),
    getRoute('/readyz', async (res) => {
      const { ready, reasons, warnings } = await deps.isReady();
      const told = warnings && warnings.length > 0 ? { warnings } : {};
      if (ready) sendJson(res, 200, { status: 'ready', ...told });
      else sendJson(res, 503, { status: 'not ready', reasons, ...told });
    }),
    getRoute('/metrics', async (res) => {
      const text = await deps.metrics.text();
      res.writeHead(200, {
        'Content-Type': deps.metrics.contentType,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text);
    }),
  ];
}

function pingWithin(ping: () => Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    Promise.resolve()
      .then(ping)
      .then(
        (ok) => resolve(ok === true),
        () => resolve(false),
      )
      .finally(() => clearTimeout(timer));
  });
}

export interface ReadinessDeps {
  pingRedis: () => Promise<boolean>;
  pingTimeoutMs?: number;
  /** The tracker's worker: running, and connected where it waits for jobs (a Redis ping alone can't tell). */
  trackerHealth?: () => Promise<{ ok: boolean; reason?: string }>;
  /**
   * Socket Mode: the websocket to Slack (without it the pod gets nothing from Slack). Asked from the start, so a pod
   * that hasn't connected yet says so too. Never part of /healthz: a Slack outage must not restart pods.
   */
  slackHealth?: () => { ok: boolean; reason?: string };
  /**
   * Once the app is initialised, each time a probe finds readiness changed (and its reasons, when not ready): the
   * kubelet's events say only "503", so the log says why. Not called for the shutdown (that is logged already).
   */
  onChange?: (readiness: Readiness) => void;
  /**
   * Said in /readyz's body without making the pod unready: a Redis that lost the bot's data (store.stateLoss()) still
   * takes new requests, but someone must check in Atlas what was running. Asked after the Redis probe of the same call.
   */
  warnings?: () => string[];
}

export function createReadiness(deps: ReadinessDeps): ReadinessTracker {
  const timeoutMs = deps.pingTimeoutMs ?? REDIS_PING_TIMEOUT_MS;
  let initialised = false;
  let shuttingDown = false;
  let lastReady: boolean | undefined;
  // Concurrent probes share one ping, so a burst of /readyz calls costs Redis one round trip.
  let inFlight: Promise<boolean> | undefined;

  function redisAnswers(): Promise<boolean> {
    inFlight ??= pingWithin(deps.pingRedis, timeoutMs).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    async isReady() {
      // Shutdown wins at once and without I/O: readiness must drop the moment SIGTERM arrives.
      if (shuttingDown) return { ready: false, reasons: [READINESS_REASONS.shuttingDown] };
      const reasons: string[] = [];
      if (!initialised) reasons.push(READINESS_REASONS.notInitialised);
      const [redisOk, tracker] = await Promise.all<[Promise<boolean>, Promise<{ ok: boolean; reason?: string }>]>([
        redisAnswers(),
        initialised && deps.trackerHealth ? deps.trackerHealth().catch((err: unknown) => ({ ok: false, reason: `tracker health unknown: ${String(err)}` })) : Promise.resolve({ ok: true }),
      ]);
      if (!redisOk) reasons.push(`${READINESS_REASONS.redisDown} within ${timeoutMs} ms`);
      if (!tracker.ok) reasons.push(tracker.reason ?? 'tracker does not take work');
      const slack = deps.slackHealth?.() ?? { ok: true };
      if (!slack.ok) reasons.push(slack.reason ?? 'Slack not connected');
      // Shutdown may have started while we waited for Redis.
      if (shuttingDown) return { ready: false, reasons: [READINESS_REASONS.shuttingDown] };
      const warnings = deps.warnings?.() ?? [];
      const result: Readiness = { ready: reasons.length === 0, reasons, ...(warnings.length > 0 ? { warnings } : {}) };
      if (initialised && result.ready !== lastReady) {
        // The first answer after start-up is news only when it is "not ready".
        if (lastReady !== undefined || !result.ready) deps.onChange?.(result);
        lastReady = result.ready;
      }
      return result;
    },
    markInitialised() {
      initialised = true;
    },
    markShuttingDown() {
      shuttingDown = true;
    },
  };
}
