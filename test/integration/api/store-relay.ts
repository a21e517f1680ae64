/**
 * A TCP relay between the API and the Firestore emulator that can fail the way a network does:
 * `blackhole` (connections accepted, bytes swallowed, nothing answers — established connections
 * die), `refuse` (nothing listens), and `up` again on the same port.
 */
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

export type RelayMode = 'up' | 'blackhole' | 'refuse';

export interface StoreRelay {
  readonly host: string;
  set(mode: RelayMode): Promise<void>;
  close(): Promise<void>;
}

export async function startStoreRelay(target: string): Promise<StoreRelay> {
  const [thost, tport] = target.split(':') as [string, string];
  let mode: RelayMode = 'up';
  const pairs = new Set<{ client: Socket; upstream?: Socket }>();
  const onConnection = (client: Socket): void => {
    const pair: { client: Socket; upstream?: Socket } = { client };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.on('error', () => undefined);
    if (mode === 'blackhole') {
      client.resume(); // swallow
      return;
    }
    const upstream = connect({ host: thost, port: Number(tport) });
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const listen = (): Promise<void> =>
    new Promise((r, j) => {
      server = createServer(onConnection);
      server.once('error', j);
      server.listen(port, '127.0.0.1', () => r());
    });
  const stopListening = (): Promise<void> => new Promise((r) => server.close(() => r()));
  return {
    host: `127.0.0.1:${port}`,
    async set(next) {
      if (next === mode) return;
      const was = mode;
      mode = next;
      if (next === 'blackhole') {
        for (const p of pairs) {
          // Established connections go silent: nothing more is forwarded either way, ever.
          const up = p.upstream;
          if (up) {
            p.client.unpipe(up);
            up.unpipe(p.client);
            up.removeAllListeners('close');
            up.removeAllListeners('error');
            up.on('error', () => undefined);
            up.destroy();
          }
          p.client.resume();
        }
      }
      if (next === 'refuse') {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream?.destroy();
        }
        await stopListening();
      }
      if (next === 'up') {
        // Connections that were swallowed stay dead (the client finds out and redials).
        for (const p of pairs) p.client.destroy();
        if (was === 'refuse') await listen();
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      if (mode !== 'refuse') await stopListening();
    },
  };
}
