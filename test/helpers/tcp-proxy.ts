// A TCP forwarder on 127.0.0.1 in front of a server (Redis), for faults a client meets on the network:
// - retarget: connections made after the change go to the new target, those already open stay where they were. That
//   is what a managed Redis's DNS name does at a failover that demotes the old primary in place without closing its
//   clients.
// - freezeOpenConnections: what a client sees when the host behind the name goes away without a word (a node
//   replaced at a failover, a network partition). Bytes sent on a frozen connection are taken and dropped, nothing
//   comes back, and the socket is never closed: the client's kernel would retransmit for about 15 minutes before it
//   gives up. Connections made after the freeze are forwarded as usual, as the name now leads to a server that answers.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  retarget(port: number): void;
  /** Freezes every connection open now; later ones are forwarded. */
  freezeOpenConnections(): void;
  /** How many connections were made since the start (a reconnect is one more). */
  connectionCount(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let count = 0;
  const open = new Set<{ client: Socket; upstream: Socket }>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    count += 1;
    const upstream = connect(target, '127.0.0.1');
    const pair = { client, upstream };
    open.add(pair);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => {
        sockets.delete(socket);
        open.delete(pair);
      });
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    retarget(port) {
      target = port;
    },
    freezeOpenConnections() {
      for (const { client, upstream } of open) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Read and drop what the client sends, so its writes never back up: nothing tells it the host is gone.
        client.removeAllListeners('data');
        client.on('data', () => undefined);
        client.resume();
        // The server side is gone quietly; the client's socket stays open.
        upstream.removeAllListeners('error');
        upstream.on('error', () => undefined);
        upstream.destroy();
      }
      open.clear();
    },
    connectionCount: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
