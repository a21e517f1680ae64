#!/usr/bin/env node
/**
 * The skyfed command line: `skyfed join`, `skyfed unjoin`, `skyfed status`. Flags are parsed
 * once into typed options; a bad flag stops with its name before anything is called.
 */
import { parseArgs } from 'node:util';
import { CliError, kubeFor, loadContext } from './kube';
import { join } from './join';
import { unjoin } from './unjoin';
import { status } from './status';
import { DEFAULT_MEMBER_OBJECTS } from './member-objects';

const USAGE = `usage:
  skyfed join <name> --context <member-context> [--kubeconfig f] [--federation-context federation-cluster]
              [--region r] [--zones a,b] [--labels k=v,k2=v2] [--server https://addr] [--namespace skyfed-system]
              [--service-account skyfed] [--in-cluster-dns] [--wait 60s] [--dry-run]
  skyfed unjoin <name> --context <member-context> [--delete-services] [--dry-run] [same --kubeconfig/--federation-context/--namespace]
  skyfed status [--federation-context federation-cluster] [--kubeconfig f]`;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function seconds(flag: string, v: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new CliError(`${flag} must look like 500ms, 60s or 2m (got ${JSON.stringify(v)})`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function labelsOf(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (v ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new CliError(`--labels takes k=v pairs separated by commas (got ${JSON.stringify(kv)})`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export async function main(argv: readonly string[], say: (l: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      'federation-context': { type: 'string', default: 'federation-cluster' },
      region: { type: 'string' },
      zones: { type: 'string' },
      labels: { type: 'string' },
      server: { type: 'string' },
      namespace: { type: 'string', default: DEFAULT_MEMBER_OBJECTS.namespace },
      'service-account': { type: 'string', default: DEFAULT_MEMBER_OBJECTS.serviceAccount },
      'in-cluster-dns': { type: 'boolean', default: false },
      'delete-services': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      wait: { type: 'string', default: '60s' },
      timeout: { type: 'string', default: '10s' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, name] = positionals;
  if (values.help || !command) {
    say(USAGE);
    return;
  }
  const timeoutMs = seconds('--timeout', values.timeout);
  const fed = (): ReturnType<typeof kubeFor> => kubeFor(loadContext(values['federation-context'], values.kubeconfig), timeoutMs);
  if (command === 'status') return status(fed(), say);
  if (command !== 'join' && command !== 'unjoin') throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  if (!name || !DNS1123_LABEL.test(name) || name.length > 63)
    throw new CliError(`${command} needs a cluster name that is a DNS-1123 label (got ${JSON.stringify(name ?? '')})`);
  if (!values.context) throw new CliError(`${command} needs --context <member-context> (the member cluster, from your kubeconfig)`);
  for (const [flag, v] of [
    ['--namespace', values.namespace],
    ['--service-account', values['service-account']],
  ] as const) {
    if (!DNS1123_LABEL.test(v)) throw new CliError(`${flag} must be a DNS-1123 label (got ${JSON.stringify(v)})`);
  }
  const member = kubeFor(loadContext(values.context, values.kubeconfig), timeoutMs);
  const objects = { namespace: values.namespace, serviceAccount: values['service-account'], inClusterDns: values['in-cluster-dns'] };
  const waitMs = seconds('--wait', values.wait);
  if (command === 'unjoin') {
    return unjoin(member, fed(), { ...objects, name, deleteServices: values['delete-services'], dryRun: values['dry-run'], waitMs }, say);
  }
  const zones = (values.zones ?? '').split(',').filter(Boolean);
  for (const z of [values.region ?? 'ok', ...zones])
    if (!DNS1123_LABEL.test(z)) throw new CliError(`--region and --zones take DNS-1123 labels (got ${JSON.stringify(z)})`);
  return join(
    member,
    fed(),
    {
      ...objects,
      name,
      zones,
      labels: labelsOf(values.labels),
      dryRun: values['dry-run'],
      waitMs,
      ...(values.region ? { region: values.region } : {}),
      ...(values.server ? { server: values.server } : {}),
    },
    say,
  );
}

if (require.main === module) {
  main(process.argv.slice(2), (l) => {
    process.stdout.write(`${l}\n`);
  }).then(
    () => process.exit(0),
    (e: unknown) => {
      const known = e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`skyfed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(known ? 2 : 1);
    },
  );
}
