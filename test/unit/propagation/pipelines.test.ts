/**
 * Each cluster on its own clock: a hanging member costs the healthy ones nothing, in every path
 * that touches members, and each cluster's shard status is written as soon as that cluster is done.
 */
import { onClusterChanged, onServiceChanged, reconcileEverything } from '../../../shared/propagation/controller';
import { ShardDoc } from '../../../shared/store/shards';
import { sleep } from './fake-member';
import { federation } from './federation';

const HEALTHY = ['asia', 'europe', 'us-east'];
const TIMEOUT = 2000;

async function until(what: string, probe: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(5);
  }
  return Date.now() - t0;
}

const shardOf = async (f: Awaited<ReturnType<typeof federation>>, cluster: string, svc = 'nginx'): Promise<ShardDoc | undefined> =>
  (await f.shards.list('web', svc)).find((d) => d.cluster === cluster);

describe.each([
  ['a Service event', 'service'],
  ['the periodic reconcile', 'periodic'],
  ['a Cluster event (new registration)', 'cluster'],
])('%s with one member hanging', (_title, path) => {
  test('the healthy members get the Service and their shard status long before the time-out', async () => {
    const f = await federation([...HEALTHY, 'hung'], { latencyMs: 20, timeoutMs: TIMEOUT });
    (f.members.get('hung') as { hanging: boolean }).hanging = true;
    await f.addService('nginx');
    const deps = f.instance();
    const t0 = Date.now();
    const passes =
      path === 'service'
        ? [onServiceChanged(deps, 'web', 'nginx')]
        : path === 'periodic'
          ? [reconcileEverything(deps)]
          : // Every cluster registered at once: one event each, handled side by side.
            [...HEALTHY, 'hung'].map((c) => onClusterChanged(deps, c, undefined, { spec: { c } }));
    const pass = Promise.all(passes);
    await until('healthy members have nginx', () => HEALTHY.every((c) => f.members.get(c)?.services.has('web/nginx')), TIMEOUT);
    const reached = Date.now() - t0;
    await until(
      'healthy shards say present',
      async () => (await Promise.all(HEALTHY.map((c) => shardOf(f, c)))).every((d) => d?.propagation?.present),
      TIMEOUT,
    );
    const recorded = Date.now() - t0;
    // Three calls in a row at most (health probe, read, create), each 20 ms: far below one time-out.
    expect(reached).toBeLessThan(TIMEOUT / 2);
    expect(recorded).toBeLessThan(TIMEOUT / 2);
    await pass;
    const hung = await shardOf(f, 'hung');
    expect(hung?.propagation?.error).toMatch(/Timeout: no answer within 2000 ms/);
    expect(hung?.propagation?.since).toBeDefined();
  });
});

test('a duplicated or reordered event changes nothing twice: no member writes, no status writes', async () => {
  const f = await federation(HEALTHY);
  await f.addService('nginx');
  await f.addService('api');
  const deps = f.instance();
  await Promise.all([onServiceChanged(deps, 'web', 'nginx'), onServiceChanged(deps, 'web', 'api')]);
  const writes = f.shards.writes;
  const again = await Promise.all([onServiceChanged(deps, 'web', 'api'), onServiceChanged(deps, 'web', 'nginx'), onServiceChanged(deps, 'web', 'nginx')]);
  expect(again.map((r) => r.writes)).toEqual([0, 0, 0]);
  expect(f.shards.writes).toBe(writes);
  expect((await reconcileEverything(deps)).writes).toBe(0);
  expect(f.shards.writes).toBe(writes);
});
