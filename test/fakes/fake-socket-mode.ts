// A fake Slack Socket Mode server (a real WebSocket server on 127.0.0.1, random port), for integration tests.
// It speaks what @slack/socket-mode expects: `hello` on connect, envelopes `{envelope_id, type, payload}`,
// the client's ack `{envelope_id, payload}`, `disconnect` messages, and WebSocket ping/pong.
// The fake Slack's apps.connections.open hands out `connectionUrl()`: single-use tickets, like Slack's.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface FakeSocketModeOptions {
  appId?: string;
  /** How long send() waits for the ack; Slack gives up after 3 s. */
  ackTimeoutMs?: number;
}

export interface SocketConnection {
  id: number;
  ticket: string;
  open: boolean;
  /** Close code and reason once closed (1000 = the client closed normally). */
  closeCode?: number;
  closeReason?: string;
  /** Every message the client sent on this connection, parsed. */
  received: unknown[];
}

export interface SendOptions {
  /** Default: true, except for block_actions (Slack does not take a response payload for those). */
  acceptsResponsePayload?: boolean;
  ackTimeoutMs?: number;
}

export interface FakeSocketMode {
  /** ws://127.0.0.1:PORT */
  url: string;
  appId: string;
  /** A new single-use connection URL, what apps.connections.open answers. */
  connectionUrl(): string;
  /** Every connection so far, open or closed, oldest first. */
  connections(): SocketConnection[];
  /**
   * Sends an envelope on the newest open connection and resolves with the payload of its ack
   * (`{}` when the app acked without a body). Rejects when no connection is open, the connection closes
   * before the ack, or no ack arrives in time.
   */
  send(type: EnvelopeType, payload: Record<string, unknown>, opts?: SendOptions): Promise<Record<string, unknown>>;
  /** Pings every open connection; resolves with how many answered with a pong (bounded wait). */
  ping(timeoutMs?: number): Promise<number>;
  /**
   * New connections get no `hello` (the client then doesn't count as connected) until the returned function is
   * called, which sends it to those waiting: a Slack slow to finish the handshake, held as long as a test needs.
   */
  holdHello(): () => void;
  /** Cuts every open connection without a close frame (a network cut, a Slack server gone); the server stays up. */
  dropConnections(): void;
  /** Asks the open connections to reconnect, as Slack does before recycling a server. */
  disconnect(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  close(): Promise<void>;
}

interface PendingAck {
  resolve: (payload: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

export async function startFakeSocketMode(opts: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = opts.appId ?? 'A123456';
  const defaultAckTimeoutMs = opts.ackTimeoutMs ?? 3000;
  const tickets = new Set<string>();
  const records: SocketConnection[] = [];
  const sockets = new Map<number, WebSocket>();
  const pending = new Map<string, PendingAck & { connectionId: number }>();
  let helloHeld: WebSocket[] | undefined;

  const ticketOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'ws://fake').searchParams.get('ticket') ?? '';
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // A URL not issued by apps.connections.open (or used twice) is refused at the upgrade, like Slack does.
    verifyClient: (info, done) => (tickets.delete(ticketOf(info.req)) ? done(true) : done(false, 401, 'invalid ticket')),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      wss.off('error', reject);
      resolve();
    });
  });
  const { port } = wss.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}`;

  wss.on('connection', (ws, req) => {
    const record: SocketConnection = { id: records.length + 1, ticket: ticketOf(req), open: true, received: [] };
    records.push(record);
    sockets.set(record.id, ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: { envelope_id?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        record.received.push(data.toString());
        return;
      }
      record.received.push(msg);
      const waiting = typeof msg.envelope_id === 'string' ? pending.get(msg.envelope_id) : undefined;
      if (waiting) {
        pending.delete(msg.envelope_id as string);
        waiting.resolve((msg.payload ?? {}) as Record<string, unknown>);
      }
    });
    ws.on('close', (code, reason) => {
      record.open = false;
      record.closeCode = code;
      record.closeReason = reason.toString();
      sockets.delete(record.id);
      for (const [id, p] of pending) {
        if (p.connectionId !== record.id) continue;
        pending.delete(id);
        p.reject(new Error(`fake Socket Mode: connection ${record.id} closed (code ${code}) before envelope ${id} was acked`));
      }
    });
    ws.on('error', () => undefined); // a reset by the client shows up as a close; the test checks that
    if (helloHeld) helloHeld.push(ws);
    else sayHello(ws);
  });

  function sayHello(ws: WebSocket): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'fake-socket-mode', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  }

  const newestOpen = (): [number, WebSocket] | undefined => [...sockets.entries()].filter(([, ws]) => ws.readyState === WebSocket.OPEN).at(-1);

  return {
    url,
    appId,
    connectionUrl() {
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      return `${url}/link/?ticket=${ticket}&app_id=${appId}`;
    },
    connections: () => records.map((r) => ({ ...r, received: [...r.received] })),
    send(type, payload, sendOpts = {}) {
      const target = newestOpen();
      if (!target) return Promise.reject(new Error('fake Socket Mode: no open connection to send an envelope on'));
      const [connectionId, ws] = target;
      const envelopeId = randomUUID();
      const acceptsResponsePayload = sendOpts.acceptsResponsePayload ?? payload.type !== 'block_actions';
      const timeoutMs = sendOpts.ackTimeoutMs ?? defaultAckTimeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          reject(new Error(`fake Socket Mode: no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        const settle = <T>(fn: (v: T) => void) => (v: T) => {
          clearTimeout(timer);
          fn(v);
        };
        pending.set(envelopeId, { connectionId, resolve: settle(resolve), reject: settle(reject) });
        ws.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: acceptsResponsePayload, payload }));
      });
    },
    async ping(timeoutMs = 2000) {
      const open = [...sockets.values()].filter((ws) => ws.readyState === WebSocket.OPEN);
      const answers = await Promise.all(
        open.map(
          (ws) =>
            new Promise<boolean>((resolve) => {
              const data = randomBytes(4);
              const timer = setTimeout(() => done(false), timeoutMs);
              const onPong = (got: Buffer) => {
                if (got.equals(data)) done(true);
              };
              const done = (ok: boolean) => {
                clearTimeout(timer);
                ws.off('pong', onPong);
                resolve(ok);
              };
              ws.on('pong', onPong);
              ws.ping(data);
            }),
        ),
      );
      return answers.filter(Boolean).length;
    },
    holdHello() {
      helloHeld ??= [];
      return () => {
        const waiting = helloHeld ?? [];
        helloHeld = undefined;
        for (const ws of waiting) sayHello(ws);
      };
    },
    dropConnections() {
      for (const ws of sockets.values()) ws.terminate();
    },
    disconnect(reason = 'refresh_requested') {
      for (const ws of sockets.values()) {
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }));
      }
    },
    close() {
      for (const ws of sockets.values()) ws.terminate();
      return new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
