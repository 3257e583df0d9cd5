// Builds the Bolt app and its receiver; the handlers are registered elsewhere (on `app`).
//
// Initialisation choice: `deferInitialization: true`, and start() runs `app.init()`.
// - Construction does no I/O (no auth.test), so building the app in tests or in main.ts can't fail on the network
//   and doesn't leave a rejected auth.test promise behind (Bolt's default starts one in the constructor).
// - start() still verifies the token once (auth.test) and fails fast on a bad token, and Bolt caches the bot ids:
//   with `tokenVerificationEnabled: false` instead, Bolt would call auth.test on *every* incoming request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { CustomRoute, Logger as BoltLogger } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import { createSocketConnection, type SocketConnection } from './socket-connection.js';

export type SlackCustomRoute = CustomRoute;

export interface SlackAppOptions {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  socketMode: boolean;
  /** Web API base URL (default Slack's); a trailing slash is added when missing. */
  slackApiUrl?: string;
  /** HTTP port (0 = any free port). In Socket Mode it serves only the custom routes. */
  port: number;
  /** Interface to listen on (default: all). */
  host?: string;
  logger: PinoLogger;
  /** e.g. /healthz, /readyz, /metrics. In Socket Mode paths are matched exactly (no `:params`). */
  customRoutes?: SlackCustomRoute[];
}

export interface SlackAppAddress {
  port: number;
  /** Base URL to reach the app from this host, e.g. http://127.0.0.1:41234 (Slack posts to `${url}/slack/events`). */
  url: string;
}

export interface SlackApp {
  app: App;
  /** The HTTP receiver (HTTP mode only). */
  receiver?: HTTPReceiver;
  /**
   * A client of its own for the lookups a handler makes before its 3 s ack (user-group members). The Web API
   * client pauses its whole queue for Retry-After on any 429, so a rate-limited App Home refresh on the bot's client
   * would stall a form's permission check past Slack's deadline; this one is never paused and fails a 429 at once.
   */
  lookupClient: webApi.WebClient;
  /**
   * Socket Mode only: whether the websocket to Slack is up (Slack said hello), else why not, for readiness. Absent in
   * HTTP mode, where Slack comes to us and an unreachable pod is the Service's concern.
   */
  socketHealth?: () => { ok: boolean; reason?: string };
  /** Verifies the token (auth.test), then listens. Resolves with the bound address (undefined in Socket Mode without routes). */
  start(): Promise<SlackAppAddress | undefined>;
  stop(): Promise<void>;
  /** The bound address once started. */
  address(): SlackAppAddress | undefined;
}

export class SlackAppConfigError extends Error {
  override readonly name = 'SlackAppConfigError';
  constructor(
    readonly code: 'SLACK_SIGNING_SECRET_MISSING' | 'SLACK_APP_TOKEN_MISSING',
    message: string,
  ) {
    super(message);
  }
}

/** URL of a listening server as seen from this host (wildcard addresses become 127.0.0.1). */
export function serverUrl(server: Server): SlackAppAddress {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server is not listening on a TCP port');
  const { address, port, family } = addr as AddressInfo;
  const wildcard = address === '::' || address === '0.0.0.0';
  const host = wildcard ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  return { port, url: `http://${host}:${port}` };
}

const PINO_TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt's Logger interface over a pino child (`component: 'slack'`); Errors go to `err` so pino serialises them. */
export function createBoltLogger(base: PinoLogger): BoltLogger {
  let log = base.child({ component: 'slack' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', msg: unknown[]) => {
    const err = msg.find((m): m is Error => m instanceof Error);
    const text = msg
      .filter((m) => m !== err)
      .map((m) => (typeof m === 'string' ? m : inspect(m, { depth: 4, breakLength: Infinity })))
      .join(' ');
    if (err) log[level]({ err }, text || err.message);
    else log[level](text);
  };
  return {
    debug: (...m: unknown[]) => write('debug', m),
    info: (...m: unknown[]) => write('info', m),
    warn: (...m: unknown[]) => write('warn', m),
    error: (...m: unknown[]) => write('error', m),
    // Bolt calls setLevel only when its level differs from getLevel(); we hand it the matching level,
    // so LOG_LEVEL (pino) stays in charge. If it is ever called, it affects only Bolt's child logger.
    setLevel: (level: LogLevel) => {
      log.level = level;
    },
    getLevel: () => PINO_TO_BOLT[log.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      const level = log.level;
      log = base.child({ component: name });
      log.level = level;
    },
  };
}

/** Socket Mode has no HTTP receiver, but Kubernetes still needs /healthz etc.: serve the custom routes ourselves. */
function createRoutesServer(routes: SlackCustomRoute[]): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find(
      (r) => r.path === path && (Array.isArray(r.method) ? r.method : [r.method]).some((m) => m.toUpperCase() === method),
    );
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
}

function listen(server: Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

const closing = new WeakSet<Server>();

/**
 * Once the server is closing, closes each kept-alive connection as soon as its response is sent. Without it, close()
 * closes only the connections idle at that moment: one with a response in flight (an Ingress controller keeps its
 * upstream connections alive) stays open for the keep-alive timeout, and shutdown waits seconds for nothing.
 */
function closeConnectionsWhenStopping(server: Server): void {
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => {
      if (closing.has(server)) setImmediate(() => server.closeIdleConnections());
    });
  });
}

function markClosing(server: Server): void {
  closing.add(server);
  server.closeIdleConnections();
}

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const logger = createBoltLogger(opts.logger);
  const logLevel = logger.getLevel();
  const clientOptions = {
    ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl.replace(/\/?$/, '/') } : {}),
    // The Web API client's default keeps retrying for about 30 minutes. A handler or a poll must not hang that long:
    // a few quick retries, then the caller decides (the tracker retries its notifications on the next step).
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  };
  const customRoutes = opts.customRoutes ?? [];

  const lookupClient = new webApi.WebClient(opts.botToken, {
    ...(clientOptions.slackApiUrl ? { slackApiUrl: clientOptions.slackApiUrl } : {}),
    logger,
    logLevel,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 200 },
    timeout: 2000,
  });

  let httpReceiver: HTTPReceiver | undefined;
  let socketReceiver: SocketModeReceiver | undefined;
  let socketConnection: SocketConnection | undefined;
  if (opts.socketMode) {
    if (!opts.appToken) throw new SlackAppConfigError('SLACK_APP_TOKEN_MISSING', 'Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-…)');
    // Custom routes are not given to SocketModeReceiver: it listens without reporting errors or the bound port.
    // A copy: SocketModeClient writes its own retryConfig (100 retries, for apps.connections.open) into the object
    // it is given, which would otherwise become the bot client's retry policy too.
    // autoReconnectEnabled: false, as socket-connection.ts reconnects: the client's own retries end the process on a
    // refused app token (an unhandled rejection).
    socketReceiver = new SocketModeReceiver({
      appToken: opts.appToken,
      logger,
      logLevel,
      autoReconnectEnabled: false,
      installerOptions: { clientOptions: { slackApiUrl: clientOptions.slackApiUrl } },
    });
    socketConnection = createSocketConnection(socketReceiver.client, opts.logger);
  } else {
    if (!opts.signingSecret) throw new SlackAppConfigError('SLACK_SIGNING_SECRET_MISSING', 'HTTP mode needs the signing secret (SLACK_SIGNING_SECRET)');
    httpReceiver = new HTTPReceiver({
      signingSecret: opts.signingSecret,
      endpoints: '/slack/events',
      customRoutes,
      logger,
      logLevel,
      // Ack first, work after: Slack wants an answer within 3 s and our handlers call Atlas and Redis.
      // `true` is only needed on FaaS platforms that freeze the process once the response is sent.
      processBeforeResponse: false,
    });
  }

  const app = new App({
    token: opts.botToken,
    receiver: httpReceiver ?? socketReceiver,
    logger,
    logLevel,
    clientOptions,
    deferInitialization: true,
    // The global error handler gets the payload too, so it can tell the user instead of failing silently.
    extendedErrorHandler: true,
  });

  let initialized = false;
  let httpServer: Server | undefined;
  let routesServer: Server | undefined;
  let bound: SlackAppAddress | undefined;

  return {
    app,
    ...(httpReceiver ? { receiver: httpReceiver } : {}),
    ...(socketConnection ? { socketHealth: socketConnection.health } : {}),
    lookupClient,
    address: () => bound,
    async start() {
      if (!initialized) {
        await app.init(); // auth.test: rejects with invalid_auth on a bad token
        initialized = true;
      }
      if (httpReceiver) {
        httpServer = await httpReceiver.start(opts.host ? { port: opts.port, host: opts.host } : opts.port);
        closeConnectionsWhenStopping(httpServer);
        bound = serverUrl(httpServer);
      } else if (socketConnection) {
        if (customRoutes.length > 0) {
          routesServer = createRoutesServer(customRoutes);
          closeConnectionsWhenStopping(routesServer);
          await listen(routesServer, opts.port, opts.host);
          bound = serverUrl(routesServer);
        }
        // Not socketReceiver.start(): it only starts the client (there is no OAuth server), which the connection does.
        await socketConnection.start();
      }
      return bound;
    },
    async stop() {
      if (httpReceiver && httpServer) {
        const server = httpServer;
        httpServer = undefined;
        bound = undefined;
        const stopped = httpReceiver.stop();
        markClosing(server); // after close(): no new connection comes in meanwhile
        await stopped;
      } else if (socketConnection) {
        const server = routesServer;
        routesServer = undefined;
        bound = undefined;
        // Not socketReceiver.stop(): it starts the close handshake without waiting for it (and there is no OAuth
        // server to stop). The connection's stop() ends its retries and resolves once the socket is closed (the client's
        // disconnect()), so nothing is left open after stop().
        await socketConnection.stop();
        if (server) {
          const closed = closeServer(server);
          markClosing(server);
          await closed;
        }
      }
    },
  };
}
