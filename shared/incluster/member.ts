/**
 * The member writes of in-cluster discovery, behind the member port: keep the zone ConfigMap, apply
 * or undo the CoreDNS opt-in, clean up when a cluster leaves. Every write is conditional on the
 * resourceVersion read just before it; a Conflict re-reads and re-plans (twice at most).
 */
import { MemberClient, MemberError } from '../members/port';
import { SKYFED } from '../model/meta';
import { patchCorefile, rootServerPort, unpatchCorefile } from './corefile';
import { mountZone, unmountZone } from './coredns-mount';
import { ConfigMap, ZONE_CONFIGMAP, planZoneWrite } from './plan';
import { ZoneEntry, ZoneScope } from './zone';

export type ZoneClient = Pick<MemberClient, 'getConfigMap' | 'createConfigMap' | 'replaceConfigMap'>;
export type CoreDnsClient = Pick<MemberClient, 'getConfigMap' | 'replaceConfigMap' | 'getDeployment' | 'replaceDeployment'>;

export interface ZoneSync {
  readonly outcome: 'unchanged' | 'written' | 'conflict';
  readonly serial?: number;
  readonly message?: string;
}

const COREDNS = { namespace: 'kube-system', name: 'coredns' } as const;
const ATTEMPTS = 3;

const retryable = (e: unknown): boolean => e instanceof MemberError && (e.reason === 'Conflict' || e.reason === 'AlreadyExists');

/**
 * Brings the member's zone to `entries(current)`; writes only when an answer (or the server block)
 * changed. `firstRead` is the zone ConfigMap when the caller already asked for it (the sweep reads
 * it while probing); a retry after a conflict reads it again.
 */
export async function syncZone(
  client: ZoneClient,
  scope: ZoneScope,
  entries: (current: ReadonlyMap<string, string>) => readonly ZoneEntry[],
  nowMs: number,
  firstRead?: Promise<ConfigMap | undefined>,
): Promise<ZoneSync> {
  for (let attempt = 1; ; attempt++) {
    const current = await (attempt === 1 && firstRead ? firstRead : client.getConfigMap(ZONE_CONFIGMAP.namespace, ZONE_CONFIGMAP.name));
    const plan = planZoneWrite({ scope, current, entries, nowMs });
    if (plan.op === 'none') return { outcome: 'unchanged' };
    if (plan.op === 'conflict') return { outcome: 'conflict', message: plan.reason };
    try {
      if (plan.op === 'create') await client.createConfigMap(ZONE_CONFIGMAP.namespace, plan.body);
      else await client.replaceConfigMap(ZONE_CONFIGMAP.namespace, ZONE_CONFIGMAP.name, plan.body);
      return { outcome: 'written', serial: plan.serial };
    } catch (e) {
      if (!retryable(e) || attempt >= ATTEMPTS) throw e;
    }
  }
}

export interface CoreDnsChange {
  readonly corefile: boolean;
  readonly mount: boolean;
  readonly notes: readonly string[];
}

/** Applies (`on`) or undoes the CoreDNS opt-in: the Corefile import and the ConfigMap mount. */
export async function setCoreDns(client: CoreDnsClient, on: boolean): Promise<CoreDnsChange> {
  const notes: string[] = [];
  let corefile = false;
  let mount = false;
  for (let attempt = 1; ; attempt++) {
    const cm = await client.getConfigMap(COREDNS.namespace, COREDNS.name);
    const text = cm?.data?.['Corefile'];
    if (!cm || text === undefined) {
      notes.push('no Corefile in ConfigMap kube-system/coredns');
      break;
    }
    const port = rootServerPort(text);
    if (on && port !== 53) {
      notes.push(`CoreDNS serves port ${port}; skyfed's block serves 53, so set the import up by hand (README)`);
      break;
    }
    const edit = on ? patchCorefile(text) : unpatchCorefile(text);
    if (edit.note) notes.push(edit.note);
    if (!edit.changed) break;
    try {
      await client.replaceConfigMap(COREDNS.namespace, COREDNS.name, { ...cm, data: { ...cm.data, Corefile: edit.text } });
      corefile = true;
      break;
    } catch (e) {
      if (!retryable(e) || attempt >= ATTEMPTS) throw e;
    }
  }
  for (let attempt = 1; ; attempt++) {
    const dep = await client.getDeployment(COREDNS.namespace, COREDNS.name);
    if (!dep) {
      notes.push('no Deployment kube-system/coredns');
      break;
    }
    const edit = on ? mountZone(dep) : unmountZone(dep);
    if (edit.note) notes.push(edit.note);
    if (!edit.changed) break;
    try {
      await client.replaceDeployment(COREDNS.namespace, COREDNS.name, edit.body);
      mount = true;
      break;
    } catch (e) {
      if (!retryable(e) || attempt >= ATTEMPTS) throw e;
    }
  }
  return { corefile, mount, notes };
}

/** A cluster leaves the federation: undo the CoreDNS opt-in and delete skyfed's zone ConfigMap (only if skyfed made it). */
export async function leaveCluster(
  client: CoreDnsClient & Pick<MemberClient, 'deleteConfigMap'>,
  managedCoreDns: boolean,
): Promise<CoreDnsChange & { zoneDeleted: boolean }> {
  const change = managedCoreDns ? await setCoreDns(client, false) : { corefile: false, mount: false, notes: [] };
  const zone = await client.getConfigMap(ZONE_CONFIGMAP.namespace, ZONE_CONFIGMAP.name);
  if (!zone || zone.metadata.labels?.[SKYFED.managedBy] !== SKYFED.managedByValue) return { ...change, zoneDeleted: false };
  await client.deleteConfigMap(ZONE_CONFIGMAP.namespace, ZONE_CONFIGMAP.name, zone.metadata.resourceVersion);
  return { ...change, zoneDeleted: true };
}
