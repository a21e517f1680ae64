/** Discovery (`/api`, `/apis`, resource lists) and `/version`. The OpenAPI documents are in openapi.ts. */
import { REVIEW_RESOURCES } from './authz-reviews';
import { ResourceType, apiVersionOf } from './resources';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

export function apiVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

function groupsOf(types: readonly ResourceType[]): string[] {
  return [...new Set(types.filter((t) => t.group).map((t) => t.group))];
}

export function apiGroupList(types: readonly ResourceType[]): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      ...groupsOf(types).map((g) => {
        const version = types.find((t) => t.group === g)?.version ?? 'v1';
        const gv = { groupVersion: `${g}/${version}`, version };
        return { name: g, versions: [gv], preferredVersion: gv };
      }),
      ...reviewGroups(),
    ],
  };
}

export function apiGroup(types: readonly ResourceType[], group: string): Record<string, unknown> | undefined {
  const list = apiGroupList(types)['groups'] as { name: string }[];
  const g = list.find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
}

export function resourceList(types: readonly ResourceType[], groupVersion: string): Record<string, unknown> | undefined {
  const picked = types.filter((t) => apiVersionOf(t) === groupVersion);
  if (picked.length === 0) return reviewResourceList(groupVersion);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: picked.map((t) => ({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.resource === 'services' ? { categories: ['all'] } : {}),
    })),
  };
}

/** authorization.k8s.io and authentication.k8s.io: create-only review resources (shared/api/authz-reviews.ts). */
function reviewGroups(): Record<string, unknown>[] {
  const groups = [...new Set(REVIEW_RESOURCES.map((r) => r.group))];
  return groups.map((name) => {
    const versions = [...new Set(REVIEW_RESOURCES.filter((r) => r.group === name).flatMap((r) => r.versions))].map((version) => ({
      groupVersion: `${name}/${version}`,
      version,
    }));
    return { name, versions, preferredVersion: versions[0] };
  });
}

function reviewResourceList(groupVersion: string): Record<string, unknown> | undefined {
  const picked = REVIEW_RESOURCES.filter((r) => r.versions.some((v) => `${r.group}/${v}` === groupVersion));
  if (picked.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: picked.map((r) => ({ name: r.resource, singularName: '', namespaced: false, kind: r.kind, verbs: ['create'] })),
  };
}

export function versionInfo(version: string, now: Date): Record<string, unknown> {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return {
    major: m?.[1] ?? '0',
    minor: m?.[2] ?? '1',
    gitVersion: version,
    gitCommit: 'skyfed',
    gitTreeState: 'clean',
    buildDate: now.toISOString(),
    goVersion: 'n/a',
    compiler: 'skyfed',
    platform: `node/${process.version}`,
  };
}
