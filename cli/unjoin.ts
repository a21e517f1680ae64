/**
 * `skyfed unjoin NAME --context MEMBER`: removes the Cluster and its credentials Secret from the
 * federation, then, in the member, what `skyfed join` made (only objects carrying its label), and
 * with `--delete-services` the Services skyfed propagated there (its managed-by label and
 * federated-service annotation both present). Idempotent; `--dry-run` only reads.
 */
import { Kube } from './kube';
import { CREDENTIALS_NAMESPACE } from './join';
import { JOIN_LABEL, JOIN_LABEL_VALUE, Manifest, MemberObjectsOptions, describe, memberObjects } from './member-objects';

export interface UnjoinOptions extends MemberObjectsOptions {
  readonly name: string;
  readonly deleteServices: boolean;
  readonly dryRun: boolean;
  readonly waitMs: number;
}

type Say = (line: string) => void;

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const FEDERATED_SERVICE = 'skyfed.io/federated-service';

async function removeFromFederation(fed: Kube, o: UnjoinOptions, say: Say): Promise<void> {
  const cluster: Manifest = { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: o.name } };
  const secret: Manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: o.name, namespace: CREDENTIALS_NAMESPACE } };
  for (const m of [cluster, secret]) {
    const have = await fed.read(m);
    if (!have) {
      say(`absent        ${describe(m)} (federation)`);
      continue;
    }
    if (m.kind === 'Secret' && have.metadata.labels?.[JOIN_LABEL] !== JOIN_LABEL_VALUE) {
      say(`kept          ${describe(m)} (federation; not made by skyfed join)`);
      continue;
    }
    if (!o.dryRun) await fed.remove(m);
    say(`${o.dryRun ? 'would delete' : 'deleted'}  ${describe(m)} (federation)`);
    if (m.kind === 'Cluster' && !o.dryRun) await waitGone(fed, m, o.waitMs);
  }
}

/** A Cluster may carry a finalizer while skyfed lets go of the member; wait until it is gone. */
async function waitGone(fed: Kube, m: Manifest, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await fed.read(m)) {
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function deleteServices(member: Kube, o: UnjoinOptions, say: Say): Promise<void> {
  const managed = await member.list('v1', 'Service', `${MANAGED_BY}=skyfed`);
  for (const s of managed) {
    if (!s.metadata.annotations?.[FEDERATED_SERVICE]) continue; // the label alone does not prove the Service is ours
    if (!o.dryRun)
      await member.remove({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: s.metadata.name, ...(s.metadata.namespace ? { namespace: s.metadata.namespace } : {}) },
      });
    say(`${o.dryRun ? 'would delete' : 'deleted'}  Service ${s.metadata.namespace ?? ''}/${s.metadata.name}`);
  }
}

export async function unjoin(member: Kube, fed: Kube, o: UnjoinOptions, say: Say): Promise<void> {
  await removeFromFederation(fed, o, say);
  if (o.deleteServices) await deleteServices(member, o, say);
  // Every object the member-objects plan could hold (with and without the DNS Role), newest first.
  const all = memberObjects({ ...o, inClusterDns: true }).reverse();
  for (const m of all) {
    const have = await member.read(m);
    if (!have) {
      if (m.kind !== 'Role' && m.kind !== 'RoleBinding') say(`absent        ${describe(m)}`);
      continue;
    }
    if (have.metadata.labels?.[JOIN_LABEL] !== JOIN_LABEL_VALUE) {
      say(`kept          ${describe(m)} (not made by skyfed join)`);
      continue;
    }
    if (!o.dryRun) await member.remove(m);
    say(`${o.dryRun ? 'would delete' : 'deleted'}  ${describe(m)}`);
  }
}
