/** The federation/v1beta1 Cluster kind: a member cluster's API endpoint and credentials reference. */
import { AddressGuard, addressGuard } from '../net/address-guard';
import { FieldErrors, cidr, dns1123Label, dns1123Subdomain, serverAddress } from '../k8s/validation';
import { validateMeta } from './common';
import { KubeObject } from './meta';

export const CREDENTIALS_NAMESPACE = 'federation-system';

export interface ClusterCondition {
  type: 'Ready' | 'Offline' | string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Cluster extends KubeObject {
  spec: {
    serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
    secretRef?: { name: string; namespace?: string };
    region?: string;
    zones?: string[];
  };
  status?: {
    conditions?: ClusterCondition[];
    zones?: string[];
    region?: string;
    version?: string;
  };
}

export interface ClusterValidationOptions {
  /** Accept http:// server addresses on loopback (local test doubles only). */
  readonly allowInsecureLoopback: boolean;
  /** The dial guard: server addresses it would refuse are refused when written. */
  readonly guard?: AddressGuard;
}

export function validateCluster(c: Cluster, opts: ClusterValidationOptions): FieldErrors {
  const errs = new FieldErrors();
  validateMeta(c.metadata, errs, dns1123Label, false);
  const spec = c.spec;
  if (!spec || typeof spec !== 'object') {
    errs.required('spec');
    return errs;
  }
  const addrs = spec.serverAddressByClientCIDRs ?? [];
  if (addrs.length === 0) errs.required('spec.serverAddressByClientCIDRs');
  addrs.forEach((a, i) => {
    const f = `spec.serverAddressByClientCIDRs[${i}]`;
    if (!a.clientCIDR) errs.required(`${f}.clientCIDR`);
    else errs.check(`${f}.clientCIDR`, a.clientCIDR, cidr(a.clientCIDR));
    if (!a.serverAddress) errs.required(`${f}.serverAddress`);
    else errs.check(`${f}.serverAddress`, a.serverAddress, serverAddress(a.serverAddress, opts.allowInsecureLoopback, opts.guard ?? addressGuard()));
  });
  if (!spec.secretRef?.name) errs.required('spec.secretRef.name');
  else errs.check('spec.secretRef.name', spec.secretRef.name, dns1123Subdomain(spec.secretRef.name));
  if (spec.secretRef?.namespace !== undefined) errs.check('spec.secretRef.namespace', spec.secretRef.namespace, dns1123Label(spec.secretRef.namespace));
  if (spec.region !== undefined) errs.check('spec.region', spec.region, spec.region ? dns1123Label(spec.region) : ['must not be empty']);
  const seen = new Set<string>();
  (spec.zones ?? []).forEach((z, i) => {
    errs.check(`spec.zones[${i}]`, z, z ? dns1123Label(z) : ['must not be empty']);
    if (seen.has(z)) errs.duplicate(`spec.zones[${i}]`, z);
    seen.add(z);
  });
  return errs;
}

/** The server address a control plane outside any client CIDR should use (the 0.0.0.0/0 entry, else the first). */
export function serverAddressOf(c: Cluster): string | undefined {
  const addrs = c.spec.serverAddressByClientCIDRs ?? [];
  return (addrs.find((a) => a.clientCIDR === '0.0.0.0/0') ?? addrs[0])?.serverAddress;
}

export function readyCondition(c: Cluster): ClusterCondition | undefined {
  return c.status?.conditions?.find((x) => x.type === 'Ready');
}

/** STATUS column: Ready / NotReady / Offline / Unknown, as v1's `kubectl get clusters` showed. */
export function clusterStatusWord(c: Cluster): string {
  const offline = c.status?.conditions?.find((x) => x.type === 'Offline');
  if (offline?.status === 'True') return 'Offline';
  const ready = readyCondition(c);
  if (!ready) return 'Unknown';
  if (ready.status === 'True') return 'Ready';
  return ready.status === 'False' ? 'NotReady' : 'Unknown';
}
