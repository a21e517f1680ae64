/**
 * The CoreDNS opt-in, Deployment side: mount ConfigMap kube-system/skyfed-dns (optional, read-only)
 * into the CoreDNS container at ZONE_MOUNT, and remove exactly that volume and mount again. Pure;
 * everything else in the Deployment is left as it was.
 */
import { ZONE_CONFIGMAP, ZONE_MOUNT } from './plan';

export const VOLUME_NAME = 'skyfed-dns';

interface Volume {
  name: string;
  configMap?: { name?: string; optional?: boolean; [k: string]: unknown };
  [k: string]: unknown;
}
interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  [k: string]: unknown;
}
interface Container {
  name: string;
  image?: string;
  volumeMounts?: VolumeMount[];
  [k: string]: unknown;
}

export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: { template?: { spec?: { volumes?: Volume[]; containers?: Container[]; [k: string]: unknown }; [k: string]: unknown }; [k: string]: unknown };
  [k: string]: unknown;
}

export interface MountEdit {
  readonly body: Deployment;
  readonly changed: boolean;
  readonly note?: string;
}

const VOLUME: Volume = { name: VOLUME_NAME, configMap: { name: ZONE_CONFIGMAP.name, optional: true } };
const MOUNT: VolumeMount = { name: VOLUME_NAME, mountPath: ZONE_MOUNT, readOnly: true };

function corednsContainer(containers: readonly Container[]): number {
  const byName = containers.findIndex((c) => c.name === 'coredns');
  return byName >= 0 ? byName : containers.findIndex((c) => (c.image ?? '').includes('coredns'));
}

const isOurs = (v: Volume): boolean => v.name === VOLUME_NAME && v.configMap?.name === ZONE_CONFIGMAP.name;

export function mountZone(dep: Deployment): MountEdit {
  const pod = dep.spec?.template?.spec;
  const containers = pod?.containers ?? [];
  const i = corednsContainer(containers);
  if (!pod || i < 0) return { body: dep, changed: false, note: 'no CoreDNS container in Deployment kube-system/coredns' };
  const volumes = pod.volumes ?? [];
  const clash = volumes.find((v) => v.name === VOLUME_NAME && !isOurs(v));
  if (clash) return { body: dep, changed: false, note: `the CoreDNS Deployment already has a volume named ${VOLUME_NAME} that is not skyfed's` };
  const c = containers[i] as Container;
  const mounts = c.volumeMounts ?? [];
  const taken = mounts.find((m) => m.mountPath === ZONE_MOUNT && m.name !== VOLUME_NAME);
  if (taken) return { body: dep, changed: false, note: `${ZONE_MOUNT} is already mounted from volume ${taken.name}` };
  const hasVolume = volumes.some(isOurs);
  const hasMount = mounts.some((m) => m.name === VOLUME_NAME && m.mountPath === ZONE_MOUNT);
  if (hasVolume && hasMount) return { body: dep, changed: false };
  const body = structuredClone(dep);
  const podOut = body.spec?.template?.spec as NonNullable<NonNullable<NonNullable<Deployment['spec']>['template']>['spec']>;
  if (!hasVolume) podOut.volumes = [...(podOut.volumes ?? []), structuredClone(VOLUME)];
  const out = (podOut.containers as Container[])[i] as Container;
  if (!hasMount) out.volumeMounts = [...(out.volumeMounts ?? []).filter((m) => m.name !== VOLUME_NAME), structuredClone(MOUNT)];
  return { body, changed: true };
}

export function unmountZone(dep: Deployment): MountEdit {
  const pod = dep.spec?.template?.spec;
  if (!pod) return { body: dep, changed: false };
  const hasVolume = (pod.volumes ?? []).some(isOurs);
  const hasMount = (pod.containers ?? []).some((c) => (c.volumeMounts ?? []).some((m) => m.name === VOLUME_NAME && m.mountPath === ZONE_MOUNT));
  if (!hasVolume && !hasMount) return { body: dep, changed: false };
  const body = structuredClone(dep);
  const podOut = body.spec?.template?.spec as NonNullable<NonNullable<NonNullable<Deployment['spec']>['template']>['spec']>;
  if (hasVolume) {
    podOut.volumes = (podOut.volumes ?? []).filter((v) => !isOurs(v));
    if (podOut.volumes.length === 0 && pod.volumes !== undefined && pod.volumes.length === 1) delete podOut.volumes;
  }
  for (const c of podOut.containers ?? []) {
    if (!(c.volumeMounts ?? []).some((m) => m.name === VOLUME_NAME && m.mountPath === ZONE_MOUNT)) continue;
    c.volumeMounts = (c.volumeMounts ?? []).filter((m) => !(m.name === VOLUME_NAME && m.mountPath === ZONE_MOUNT));
    if (c.volumeMounts.length === 0) delete c.volumeMounts;
  }
  return { body, changed: true };
}
