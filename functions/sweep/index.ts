/** The scheduled `healthSweep` HTTP function: one or more probe rounds, DNS kept pointing at healthy shards. */
import { lookup } from 'node:dns/promises';
import { DNS } from '@google-cloud/dns';
import type { Request, Response } from 'express';
import { Config } from '../../shared/config';
import { CloudDnsProvider } from '../../shared/dns/providers/clouddns';
import { LocalDnsProvider } from '../../shared/dns/providers/local';
import { DnsProvider } from '../../shared/dns/providers/port';
import { Route53Provider } from '../../shared/dns/providers/route53';
import { route53Client } from '../../shared/dns/providers/aws-web-identity';
import { FirestoreLedgerStore } from '../../shared/store/dns-ledger';
import { FirestoreShardedMap } from '../../shared/store/sharded-map';
import { FirestoreHealthStore } from '../../shared/store/sweep-health';
import { DIGEST_COLLECTION, DIGEST_SHARDS, FirestoreSweepStateStore } from '../../shared/store/sweep-state';
import { tcpOrHttpProbe } from '../../shared/sweep/probe';
import { SweepDeps, SweepReport, sweep } from '../../shared/sweep/sweep';
import { httpInvocation } from '../invocation';
import { Runtime } from '../runtime';

export function dnsProviderFor(rt: Runtime): DnsProvider {
  const c: Config = rt.config;
  const zoneName = `${c.dnsSuffix}.`;
  switch (c.dns.provider) {
    case 'local':
      return new LocalDnsProvider(rt.db, zoneName);
    case 'clouddns': {
      const client = new DNS({ projectId: c.projectId });
      if (c.dns.endpoint) (client as unknown as { baseUrl: string }).baseUrl = c.dns.endpoint;
      return new CloudDnsProvider(client, c.dns.zone as string, zoneName);
    }
    case 'route53':
      return new Route53Provider(route53Client(c.dns), c.dns.zone as string, zoneName);
  }
}

export function sweepDeps(rt: Runtime, dns: DnsProvider = dnsProviderFor(rt)): SweepDeps {
  const c = rt.config;
  return {
    store: rt.store,
    catalog: rt.catalog,
    health: new FirestoreHealthStore(rt.db),
    presentation: new FirestoreSweepStateStore(rt.db),
    digests: new FirestoreShardedMap(rt.db, DIGEST_COLLECTION, DIGEST_SHARDS),
    clientFor: rt.clientFor,
    dns,
    probe: tcpOrHttpProbe,
    guard: rt.dialGuard,
    memberIndex: rt.shards,
    ledger: new FirestoreLedgerStore(rt.db),
    resolveHost: async (h) => (await lookup(h, { all: true })).map((a) => a.address),
    log: rt.logs.logger('healthSweep'),
    now: () => new Date(),
    events: rt.events('skyfed-sweep'),
    config: {
      federation: c.federationName,
      suffix: c.dnsSuffix,
      ttl: c.dns.ttl,
      probeTimeoutMs: c.sweep.probeTimeoutMs,
      concurrency: c.sweep.concurrency,
      thresholds: { failureThreshold: c.sweep.failureThreshold, successThreshold: c.sweep.successThreshold },
      maxDeletes: c.dns.maxDeletesPerSweep,
      activeProbes: c.sweep.activeProbes,
    },
  };
}

/** Runs `rounds` sweeps spaced `intervalMs` apart (Cloud Scheduler's floor is one minute). */
export async function sweepRounds(deps: SweepDeps, rounds: number, intervalMs: number): Promise<SweepReport[]> {
  const reports: SweepReport[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = Date.now();
    reports.push(await sweep(deps));
    if (i < rounds - 1) await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
  }
  return reports;
}

/**
 * `POST /?dryRun=true` plans one sweep and writes nothing (DNS, members, Firestore): the report's
 * `plan` lists the DNS changes a real sweep would make now.
 */
export function healthSweep(rt: Runtime): (req: Request, res: Response) => Promise<void> {
  const deps = sweepDeps(rt);
  return (req, res) =>
    rt.logs.within(httpInvocation(req.headers, rt.config.projectId), async () => {
      if (req.query['dryRun'] === 'true') {
        const report = await sweep({ ...deps, config: { ...deps.config, dryRun: true } });
        deps.log.info('dry-run sweep', { plan: report.plan.length });
        res.status(200).json({ dryRun: true, rounds: [report] });
        return;
      }
      const reports = await sweepRounds(deps, rt.config.sweep.rounds, rt.config.sweep.roundIntervalMs);
      deps.log.info('sweep done', { rounds: reports });
      res.status(200).json({ rounds: reports });
    });
}
