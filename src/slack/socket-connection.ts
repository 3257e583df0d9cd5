// Socket Mode's websocket, kept connected by us and watched for readiness: a pod whose socket is down gets nothing
// from Slack, so it must not count as ready (and must not be restarted: liveness doesn't look here).
//
// Why our own reconnection instead of SocketModeClient's (autoReconnectEnabled): the client's retries run its start()
// from a timer and drop the promise, so a refused reconnect (apps.connections.open answering invalid_auth for a revoked
// app token, or account_inactive) becomes an unhandled rejection, which ends the process: every replica then
// crash-loops and stops following the restores in progress. Here a failed attempt is caught, said in the readiness
// reason and the log, and tried again with a back-off.
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from 'pino';

type SocketModeClient = SocketModeReceiver['client'];

/** The readiness reason while the socket is down; a detail of the last failed attempt may follow it. */
export const SLACK_SOCKET_DOWN = 'Slack socket not connected';

/** Slack's answers that a retry with the same token can't change: refused at once at start-up (fail fast). */
const TOKEN_REFUSALS = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'user_removed_from_team', 'team_disabled', 'token_revoked']);

export interface SocketConnectionOptions {
  /** First pause after a failed attempt; it doubles up to maxRetryMs. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

export interface SocketConnection {
  /** Connects, retrying what may heal (Slack unreachable, the socket closed before Slack's hello); rejects on a refused token. */
  start(): Promise<void>;
  /** ok while the socket is open and Slack has said hello; otherwise why not. */
  health(): { ok: boolean; reason?: string };
  /** Closes the socket and ends the reconnection; resolves once the socket is closed. */
  stop(): Promise<void>;
}

function platformError(err: unknown): string | undefined {
  const data = (err as { code?: unknown; data?: { error?: unknown } } | undefined)?.data;
  return (err as { code?: unknown } | undefined)?.code === 'slack_webapi_platform_error' && typeof data?.error === 'string' ? data.error : undefined;
}

function isTokenRefusal(err: unknown): boolean {
  const refusal = platformError(err);
  return refusal !== undefined && TOKEN_REFUSALS.has(refusal);
}

function describeFailure(err: unknown): string {
  const refusal = platformError(err);
  if (refusal && TOKEN_REFUSALS.has(refusal)) return `apps.connections.open refused the app token (${refusal}): check SLACK_APP_TOKEN`;
  if (refusal) return `apps.connections.open answered ${refusal}`;
  // The client's start() rejects without an error when the socket closes before Slack's hello (an upgrade refused).
  if (err === undefined) return 'the socket closed before Slack said hello';
  return err instanceof Error ? err.message : String(err);
}

export function createSocketConnection(client: SocketModeClient, logger: Logger, opts: SocketConnectionOptions = {}): SocketConnection {
  const firstRetryMs = opts.firstRetryMs ?? 1000;
  const maxRetryMs = opts.maxRetryMs ?? 30_000;
  let connected = false;
  let stopping = false;
  let attempting = false;
  let failures = 0;
  let lastFailure: string | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const onStop: (() => void)[] = [];

  client.on('connected', () => {
    // An attempt that was waiting for apps.connections.open when stop() ran connects after it: close that one too.
    if (stopping) return void client.disconnect();
    if (failures > 0) logger.info({ component: 'slack' }, 'Slack socket connected again');
    connected = true;
    failures = 0;
    lastFailure = undefined;
  });
  const lost = () => {
    connected = false;
    if (!attempting) schedule(); // a drop of an established socket; a failed attempt schedules its own retry
  };
  client.on('disconnected', lost);
  client.on('disconnecting', () => (connected = false));

  function schedule(): void {
    if (stopping || retryTimer || attempting) return;
    // The first reconnect at once (Slack asks for it before recycling a server); after failures, a growing pause.
    const delayMs = failures === 0 ? 0 : Math.min(firstRetryMs * 2 ** (failures - 1), maxRetryMs);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void attempt().catch(() => undefined);
    }, delayMs);
  }

  async function attempt(): Promise<void> {
    if (stopping) return;
    attempting = true;
    try {
      await client.start();
    } catch (err) {
      failures += 1;
      lastFailure = describeFailure(err);
      logger[isTokenRefusal(err) ? 'error' : 'warn']({ component: 'slack', failures }, `${SLACK_SOCKET_DOWN}: ${lastFailure}`);
      throw err;
    } finally {
      attempting = false;
      if (!connected) schedule();
    }
  }

  return {
    async start() {
      // A stop() ends the start, also while the first attempt still waits for Slack's hello: the client's own start()
      // doesn't settle when it is disconnected then.
      const stopped = new Promise<'stopped'>((resolve) => onStop.push(() => resolve('stopped')));
      const first = attempt();
      first.catch(() => undefined); // read below, unless a stop made it moot first
      try {
        if ((await Promise.race([first.then(() => 'connected' as const), stopped])) === 'stopped') return;
      } catch (err) {
        if (isTokenRefusal(err)) {
          // Nothing a retry can change: the start fails, as it does for a refused bot token.
          stopping = true;
          clearTimeout(retryTimer);
          retryTimer = undefined;
          throw err;
        }
        // attempt() has scheduled the retries: the start waits for one to connect (or for stop()). A refusal met by a
        // retry doesn't end the start: the pod stays alive and unready, its reason saying why.
        await Promise.race([new Promise<void>((resolve) => client.once('connected', () => resolve())), stopped]);
      }
    },
    health: () => (connected ? { ok: true } : { ok: false, reason: lastFailure ? `${SLACK_SOCKET_DOWN}: ${lastFailure}` : SLACK_SOCKET_DOWN }),
    async stop() {
      stopping = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      connected = false;
      for (const resolve of onStop.splice(0)) resolve();
      await client.disconnect();
    },
  };
}
