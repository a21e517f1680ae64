/** Builds a federation of simulated clusters for the sweep benchmark, with real probe targets. */
import { ChildProcess, spawn } from 'node:child_process';
import { Server, createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN_TOKEN } from '../harness/api-server';
import { ControlPlane, startControlPlane } from '../harness/control-plane';
import { call } from '../harness/http';
import { RemoteFleet } from '../../local/sim/remote-fleet';
import { registerCluster } from '../harness/federation';

const T = { token: ADMIN_TOKEN };

export interface Federation {
  readonly cp: ControlPlane;
  /** The simulated members, served from a child process (the bench's clock measures the sweep, not them). */
  readonly fleet: RemoteFleet;
  /** Load-balancer address of every shard, by `cluster/service`. */
  readonly addresses: Map<string, string>;
  close(): Promise<void>;
}

export async function buildFederation(clusters: number, services: number, env: Record<string, string>): Promise<Federation> {
  const fleet = await RemoteFleet.start(
    Array.from({ length: clusters }, (_, i) => ({
      name: `c${i}`,
      region: `region-${Math.floor(i / 2)}`,
      zones: [`region-${Math.floor(i / 2)}-${i % 2 === 0 ? 'a' : 'b'}`],
      lbListen: false,
      lbDelayMs: 0,
    })),
  );
  const cp = await startControlPlane(env, { triggers: false });
  // A cold emulator answers its first requests slowly (past the API's store deadline on a busy machine).
  for (let i = 0; i < 5; i++) await cp.db.collection('warmup').doc(String(i)).set({ i });
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
  for (let i = 0; i < services; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, services - i) }, (_, j) =>
        call(cp.apiUrl, 'POST', '/api/v1/namespaces/bench/services', {
          ...T,
          body: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `s${i + j}` },
            spec: { type: 'LoadBalancer', selector: { app: 's' }, ports: [{ port: 80 }] },
          },
        }),
      ),
    );
  }
  // One reconcile pass creates every member Service and records each cluster's zones.
  await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
  let addresses = new Map<string, string>();
  for (;;) {
    addresses = await fleet.ingress();
    if (addresses.size === clusters * services) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    cp,
    fleet,
    addresses,
    close: async () => {
      await cp.close();
      await fleet.stop();
    },
  };
}

export interface Targets {
  readonly live: Set<string>;
  readonly blackholed: Set<string>;
  /** Stops or restarts the listener of one live address (a load balancer dying and recovering). */
  setAnswering(address: string, answering: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Real TCP listeners on the live addresses; Python-held full accept queues on the black-holed ones. */
export async function openTargets(addresses: readonly string[], blackholeFraction: number, port = 80): Promise<Targets> {
  const every = blackholeFraction > 0 ? Math.round(1 / blackholeFraction) : 0;
  const blackholed = new Set(every ? addresses.filter((_, i) => i % every === 0) : []);
  const live = new Set(addresses.filter((a) => !blackholed.has(a)));
  const servers = new Map<string, Server>();
  const listen = async (a: string): Promise<void> => {
    const s = createServer((sock) => sock.destroy());
    await new Promise<void>((r, j) => {
      s.once('error', j);
      s.listen(port, a, 256, () => r());
    });
    servers.set(a, s);
  };
  const stop = (a: string): Promise<void> =>
    new Promise<void>((r) => {
      const s = servers.get(a);
      servers.delete(a);
      if (s) s.close(() => r());
      else r();
    });
  for (const a of live) await listen(a);
  let py: ChildProcess | undefined;
  if (blackholed.size > 0) {
    py = spawn('python3', [join(__dirname, '..', '..', '..', 'test', 'bench', 'blackhole.py'), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const proc = py;
    process.once('exit', () => proc.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`blackhole.py exited ${String(code)}`)));
      proc.stdin?.end([...blackholed].join('\n'));
    });
  }
  return {
    live,
    blackholed,
    setAnswering: async (a, answering) => {
      if (answering) await listen(a);
      else await stop(a);
    },
    close: async () => {
      py?.kill('SIGKILL');
      await Promise.all([...servers.keys()].map(stop));
    },
  };
}
