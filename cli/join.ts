/**
 * `skyfed join NAME --context MEMBER`: with the operator's own access to the member, create its
 * ServiceAccount, least RBAC and token (cli/member-objects.ts), store a kubeconfig holding only
 * inline material (server, CA data, TLS server name, that token) as the credentials Secret through
 * the federation context, create or update the Cluster, and wait for it to be Ready. Idempotent;
 * `--dry-run` only reads and says what it would do.
 */
import { readFileSync } from 'node:fs';
import { CliError, Kube } from './kube';
import { JOIN_LABEL, JOIN_LABEL_VALUE, Manifest, MemberObjectsOptions, describe, inlineKubeconfig, memberObjects, tokenSecretName } from './member-objects';
import { clusterTable } from './status';

export const CREDENTIALS_NAMESPACE = 'federation-system';

export interface JoinOptions extends MemberObjectsOptions {
  readonly name: string;
  /** The API address the control plane should dial (default: the member context's server). */
  readonly server?: string;
  readonly region?: string;
  readonly zones: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly dryRun: boolean;
  readonly waitMs: number;
}

type Say = (line: string) => void;

const ours = (m: Manifest | undefined): boolean => m?.metadata.labels?.[JOIN_LABEL] === JOIN_LABEL_VALUE;
const SPEC_FIELDS = ['rules', 'roleRef', 'subjects'];
const sameSpec = (a: Manifest, b: Manifest): boolean => SPEC_FIELDS.every((f) => JSON.stringify(a[f] ?? null) === JSON.stringify(b[f] ?? null));

/** Creates each member object, updates ours that drifted, and refuses to take over same-named objects it did not make. */
async function ensureMemberObjects(member: Kube, o: JoinOptions, say: Say): Promise<void> {
  for (const want of memberObjects(o)) {
    const have = await member.read(want);
    if (!have) {
      if (!o.dryRun) await member.create(want);
      say(`${o.dryRun ? 'would create' : 'created'}  ${describe(want)}`);
    } else if (want.kind === 'Namespace') {
      say(`exists        ${describe(want)}${ours(have) ? '' : ' (not made by skyfed join; it stays on unjoin)'}`);
    } else if (!ours(have)) {
      throw new CliError(
        `${member.context}: ${describe(want)} exists and was not made by skyfed join; remove it or pick another --service-account/--namespace`,
      );
    } else if (!sameSpec(have, want)) {
      if (!o.dryRun)
        await member.replace({
          ...want,
          metadata: { ...want.metadata, resourceVersion: (have.metadata as { resourceVersion?: string }).resourceVersion },
        } as Manifest);
      say(`${o.dryRun ? 'would update' : 'updated'}  ${describe(want)}`);
    } else {
      say(`unchanged     ${describe(want)}`);
    }
  }
}

/** The token the token controller writes into the Secret (real clusters fill it a moment after creation). */
async function readToken(member: Kube, o: JoinOptions, timeoutMs: number): Promise<{ token: string; caData?: string }> {
  const ref: Manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: tokenSecretName(o), namespace: o.namespace } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await member.read(ref)) as (Manifest & { data?: Record<string, string> }) | undefined;
    const token = s?.data?.['token'];
    if (token) return { token: Buffer.from(token, 'base64').toString('utf8'), ...(s.data?.['ca.crt'] ? { caData: s.data['ca.crt'] } : {}) };
    if (Date.now() > deadline)
      throw new CliError(
        `${member.context}: Secret ${o.namespace}/${ref.metadata.name} got no token within ${timeoutMs} ms (is the token controller running?)`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Server, CA and TLS server name the control plane should use, from the operator's view of the member. */
function memberEndpoint(member: Kube, o: JoinOptions, secretCa: string | undefined): { server: string; caData?: string; tlsServerName?: string } {
  const c = member.config.getCurrentCluster();
  if (!c) throw new CliError(`${member.context}: the context has no cluster`);
  const caData = c.caData ?? (c.caFile ? readFileSync(c.caFile).toString('base64') : secretCa);
  return { server: o.server ?? c.server, ...(caData ? { caData } : {}), ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}) };
}

async function upsert(fed: Kube, want: Manifest, dryRun: boolean, say: Say, keep: (have: Manifest) => Manifest = (h) => h): Promise<void> {
  const have = await fed.read(want);
  if (dryRun) {
    say(`${have ? 'would update' : 'would create'}  ${describe(want)} (federation)`);
    return;
  }
  if (have)
    await fed.replace({
      ...keep(have),
      ...want,
      metadata: { ...want.metadata, resourceVersion: (have.metadata as { resourceVersion?: string }).resourceVersion },
    } as Manifest);
  else await fed.create(want);
  say(`${have ? 'updated' : 'created'}  ${describe(want)} (federation)`);
}

export function clusterManifest(o: JoinOptions, server: string): Manifest {
  return {
    apiVersion: 'federation/v1beta1',
    kind: 'Cluster',
    metadata: { name: o.name, ...(Object.keys(o.labels).length ? { labels: { ...o.labels } } : {}) },
    spec: {
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: server }],
      secretRef: { name: o.name, namespace: CREDENTIALS_NAMESPACE },
      ...(o.region ? { region: o.region } : {}),
      ...(o.zones.length ? { zones: [...o.zones] } : {}),
    },
  };
}

export async function join(member: Kube, fed: Kube, o: JoinOptions, say: Say): Promise<void> {
  await ensureMemberObjects(member, o, say);
  if (o.dryRun) {
    const ep = memberEndpoint(member, o, undefined);
    say(
      `would store   Secret ${CREDENTIALS_NAMESPACE}/${o.name} (federation): kubeconfig for ${ep.server} with the token of ServiceAccount ${o.namespace}/${o.serviceAccount}`,
    );
    await upsert(fed, clusterManifest(o, ep.server), true, say);
    return;
  }
  const { token, caData: secretCa } = await readToken(member, o, 30_000);
  const ep = memberEndpoint(member, o, secretCa);
  const kubeconfig = inlineKubeconfig({
    name: o.name,
    server: ep.server,
    token,
    ...(ep.caData ? { caData: ep.caData } : {}),
    ...(ep.tlsServerName ? { tlsServerName: ep.tlsServerName } : {}),
  });
  await upsert(
    fed,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: o.name, namespace: CREDENTIALS_NAMESPACE, labels: { [JOIN_LABEL]: JOIN_LABEL_VALUE } },
      data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
    },
    false,
    say,
    () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: o.name } }),
  );
  await upsert(fed, clusterManifest(o, ep.server), false, say, (have) => ({ ...have, status: undefined }) as unknown as Manifest);
  if (o.waitMs <= 0) return;
  const cluster = await waitReady(fed, o.name, o.waitMs);
  say('');
  say(clusterTable([cluster]));
}

export async function waitReady(fed: Kube, name: string, timeoutMs: number): Promise<Manifest> {
  const ref: Manifest = { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await fed.read(ref);
    const conds = (c?.['status'] as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions ?? [];
    if (c && conds.some((x) => x.type === 'Ready' && x.status === 'True')) return c;
    if (Date.now() > deadline) {
      const why = conds.map((x) => `${x.type}=${x.status}${x.message ? ` (${x.message})` : ''}`).join(', ') || 'no status yet';
      throw new CliError(`cluster ${name} is not Ready after ${timeoutMs} ms: ${why}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
