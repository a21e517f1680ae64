/**
 * Probing one shard: its addresses (hostname load balancers resolved each time), the dial guard,
 * one probe per address; whatever goes wrong fails that shard only. The verdict's words are composed
 * later (`reasonFor`), from what is known of the shard then, so an early probe can serve it.
 */
import { Logger } from '../log';
import { AddressGuard } from '../net/address-guard';
import { Prober } from './probe';
import { ShardHealthReason } from './reasons';
import { ShardPlan, probeTargets } from './shards';

export interface ProbeDeps {
  readonly probe: Prober;
  readonly guard: AddressGuard;
  readonly resolveHost: (hostname: string) => Promise<string[]>;
  readonly log: Logger;
  readonly config: { readonly activeProbes: boolean; readonly probeTimeoutMs: number };
}

/** What probing found; `detail` is the probe's own words (the shard's reason is composed by `reasonFor`). */
export type ProbeOutcome = { ok: boolean; code: ShardHealthReason; detail: string; addresses: string[] };

/** The shard's reason in words, from the outcome and what is known of the shard now. */
export function reasonFor(shard: ShardPlan, o: ProbeOutcome): string {
  if (o.code === 'ProbeDisabled') return `${shard.readyEndpoints} ready endpoints (active probe disabled)`;
  if (o.code !== 'ProbeSucceeded' && o.code !== 'ProbeFailed' && o.code !== 'ProbeTimedOut') return o.detail;
  if (shard.controlPlaneDown) return `cluster API unreachable; data plane ${o.ok ? 'answering' : 'failing'} (${o.detail})`;
  return o.ok ? `${shard.readyEndpoints} ready endpoints, ${o.detail}` : o.detail;
}

/** Probes one shard; whatever goes wrong fails that shard only, with the reason in its status. */
export async function probeShard(deps: ProbeDeps, shard: ShardPlan, onProbe: () => void): Promise<ProbeOutcome> {
  try {
    return await probeShardOnce(deps, shard, onProbe);
  } catch (e) {
    deps.log.warn('probe failed unexpectedly', { service: shard.service, cluster: shard.cluster, error: e instanceof Error ? e.name : 'error' });
    return { ok: false, code: 'ProbeError', detail: 'probe failed', addresses: [] };
  }
}

/** Probes one shard (resolving hostname load balancers each time) under the sweep's limiter. */
async function probeShardOnce(deps: ProbeDeps, shard: ShardPlan, onProbe: () => void): Promise<ProbeOutcome> {
  const addresses: string[] = [];
  for (const i of shard.ingress) {
    if (i.ip) addresses.push(i.ip);
    else if (i.hostname) addresses.push(...(await deps.resolveHost(i.hostname).catch(() => [])));
  }
  if (shard.downBecause) return { ok: false, code: shard.downBecause.code, detail: shard.downBecause.message, addresses };
  if (addresses.length === 0) return { ok: false, code: 'AddressUnresolved', detail: 'load-balancer hostname did not resolve', addresses };
  if (!deps.config.activeProbes) return { ok: true, code: 'ProbeDisabled', detail: '', addresses };
  const allowed = addresses.filter((a) => deps.guard.refusal(a) === undefined);
  if (allowed.length === 0)
    return { ok: false, code: 'AddressRefused', detail: `probe refused: ${deps.guard.refusal(addresses[0] as string) ?? ''}`, addresses };
  const results = await Promise.all(
    probeTargets(shard, allowed).map((t) => {
      onProbe();
      return deps.probe(t, deps.config.probeTimeoutMs);
    }),
  );
  const ok = results.some((r) => r.ok);
  const what = results.find((r) => r.ok === ok)?.reason ?? '';
  const code: ShardHealthReason = ok ? 'ProbeSucceeded' : results.every((r) => r.timedOut) ? 'ProbeTimedOut' : 'ProbeFailed';
  return { ok, code, detail: what, addresses };
}
