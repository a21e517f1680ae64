/**
 * The parent's handle on a fleet of simulated members running in a child process
 * (fleet-process.ts): the members' names, addresses and kubeconfigs, and the few things a
 * benchmark asks of them. Runs from the compiled build (dist/), where fleet-process.js sits beside it.
 */
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { FakeClusterOptions, FaultMode } from './cluster';
import { monotonicMs } from './clock';
import type { FleetAnswer, FleetRequest, MemberInfo } from './fleet-process';

type Body<R> = R extends FleetRequest ? Omit<R, 'id'> : never;

export class RemoteMember {
  constructor(
    private readonly fleet: RemoteFleet,
    readonly info: MemberInfo,
  ) {}
  get name(): string {
    return this.info.name;
  }
  get url(): string {
    return this.info.url;
  }
  kubeconfig(): string {
    return this.info.kubeconfig;
  }
  async setFault(f: { mode: FaultMode }): Promise<void> {
    await this.fleet.ask({ op: 'fault', cluster: this.name, mode: f.mode });
  }
}

export class RemoteFleet {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (a: FleetAnswer) => void; reject: (e: Error) => void }>();
  clusters: readonly RemoteMember[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (a: FleetAnswer) => {
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      if (a.error) p?.reject(new Error(`member fleet: ${a.error}`));
      else p?.resolve(a);
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`member fleet exited (${String(code)})`));
      this.pending.clear();
    });
  }

  static async start(options: readonly Omit<FakeClusterOptions, 'onChange' | 'identity'>[]): Promise<RemoteFleet> {
    const child = fork(join(__dirname, 'fleet-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const fleet = new RemoteFleet(child);
    const a = await fleet.ask({ op: 'start', options });
    fleet.clusters = (a.members ?? []).map((m) => new RemoteMember(fleet, m));
    return fleet;
  }

  ask(r: Body<FleetRequest>): Promise<FleetAnswer> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...r, id } as FleetRequest);
    });
  }

  /**
   * Resolves when Service `key` (`namespace/name`) exists in every one of `members`, to the moment the
   * last of them got it (monotonicMs): the fleet's own reading, not when this process's event loop
   * gets round to the answer.
   */
  async waitForService(key: string, members: readonly RemoteMember[]): Promise<number> {
    const a = await this.ask({ op: 'await', key, clusters: members.map((m) => m.name) });
    return a.at ?? monotonicMs();
  }

  async serviceCount(): Promise<number> {
    return (await this.ask({ op: 'count' })).services ?? 0;
  }

  /** `cluster/namespace/name` → the first load-balancer IP of every member Service that has one. */
  async ingress(): Promise<Map<string, string>> {
    return new Map(Object.entries((await this.ask({ op: 'ingress' })).ingress ?? {}));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.ask({ op: 'stop' }).catch(() => undefined);
    await exited;
  }
}
