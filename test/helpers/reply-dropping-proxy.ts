// A TCP forwarder on 127.0.0.1 in front of a server (Redis) that can lose one answer: once a client sends bytes
// holding `marker`, the server's next answer on that connection is not passed on; the connection is dropped instead.
// The server did what it was asked; the client only knows its answer was lost. That is a network cut at the worst
// moment, or a failover right after a write: the write landed, the caller can't tell.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ReplyDroppingProxy {
  port: number;
  /**
   * After a request holding `marker`, the first answer holding `answer` (e.g. Redis's `:1\r\n`) is lost; answers
   * before it (others' on the same connection, a NOSCRIPT before the EVAL that follows it) pass. `beforeDrop` runs
   * with that answer held back (the second fault of a double fault). Resolves once the answer was dropped.
   */
  dropAnswerTo(marker: string, answer: string, opts?: { beforeDrop?: () => Promise<void> }): Promise<void>;
  /**
   * The next request holding `marker` never reaches the server: its connection is dropped instead, after
   * `beforeCut` ran (e.g. the fault that makes a client's resend of it fail too). Resolves once cut.
   */
  cutBefore(marker: string, opts?: { beforeCut?: () => Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

interface Drop {
  marker: string;
  beforeDrop: () => Promise<void>;
  answer: string;
  done: () => void;
}

export async function startReplyDroppingProxy(targetPort: number): Promise<ReplyDroppingProxy> {
  const sockets = new Set<Socket>();
  let pending: Drop | undefined;
  let cut: { marker: string; beforeCut: () => Promise<void>; done: () => void } | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    // The drop armed by this connection's request, waiting for its answer.
    let armed: Drop | undefined;
    client.on('data', (chunk: Buffer) => {
      if (cut && chunk.includes(cut.marker)) {
        const { beforeCut, done } = cut;
        cut = undefined;
        client.pause();
        void beforeCut().finally(() => {
          client.destroy();
          upstream.destroy();
          done();
        });
        return;
      }
      if (pending && !armed && chunk.includes(pending.marker)) {
        armed = pending;
        pending = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const drop = armed;
      if (!drop || !chunk.includes(drop.answer)) {
        client.write(chunk);
        return;
      }
      armed = undefined;
      upstream.pause();
      void drop.beforeDrop().finally(() => {
        client.destroy();
        upstream.destroy();
        drop.done();
      });
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    dropAnswerTo(marker, answer, opts = {}) {
      return new Promise<void>((resolve) => {
        pending = { marker, answer, beforeDrop: opts.beforeDrop ?? (() => Promise.resolve()), done: resolve };
      });
    },
    cutBefore(marker, opts = {}) {
      return new Promise<void>((resolve) => {
        cut = { marker, beforeCut: opts.beforeCut ?? (() => Promise.resolve()), done: resolve };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
