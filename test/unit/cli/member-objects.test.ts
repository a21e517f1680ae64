/**
 * What `skyfed join` creates in a member and the kubeconfig it stores (pure), and the by-hand
 * example the README points to being exactly that set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_MEMBER_OBJECTS, inlineKubeconfig, memberObjects } from '../../../cli/member-objects';
import { clusterManifest } from '../../../cli/join';
import { table } from '../../../cli/status';

test('examples/member-rbac.yaml is what join creates (without the DNS Role)', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'member-rbac.yaml'), 'utf8');
  expect(parseAllDocuments(text).map((d) => d.toJSON() as unknown)).toEqual(memberObjects(DEFAULT_MEMBER_OBJECTS));
});

test.each([
  [
    'no DNS feature: no access to ConfigMaps or Secrets, nothing namespaced in kube-system',
    false,
    ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret'],
  ],
  [
    '--in-cluster-dns: a Role and RoleBinding in kube-system only',
    true,
    ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret'],
  ],
])('%s', (_, inClusterDns, kinds) => {
  const objs = memberObjects({ ...DEFAULT_MEMBER_OBJECTS, inClusterDns });
  expect(objs.map((o) => o.kind)).toEqual(kinds);
  const rules = objs.flatMap((o) => (o['rules'] as { resources: string[]; resourceNames?: string[]; verbs: string[] }[] | undefined) ?? []);
  expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
  expect(rules.flatMap((r) => r.verbs)).not.toContain('*');
  const cm = rules.filter((r) => r.resources.includes('configmaps'));
  expect(cm.every((r) => r.resourceNames?.join() === 'skyfed-dns' || r.verbs.join() === 'create')).toBe(true);
  expect(objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').every((o) => o.metadata.namespace === 'kube-system')).toBe(true);
  expect(objs.every((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'skyfed-join')).toBe(true);
});

test('the stored kubeconfig holds only inline material, and names are quoted so nothing can be injected', () => {
  const text = inlineKubeconfig({ name: 'm', server: 'https://10.0.0.1:6443', caData: 'Q0E=', tlsServerName: 'api.m', token: 'tok"\nexec: x' });
  const kc = new KubeConfig();
  kc.loadFromString(text);
  expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://10.0.0.1:6443', caData: 'Q0E=', tlsServerName: 'api.m' });
  expect(kc.getCurrentUser()).toMatchObject({ token: 'tok"\nexec: x' });
  expect(kc.getCurrentUser()?.exec).toBeUndefined();
  expect(
    Object.keys(kc.getCurrentUser() ?? {})
      .filter((k) => (kc.getCurrentUser() as unknown as Record<string, unknown>)[k] !== undefined)
      .sort(),
  ).toEqual(['name', 'token']);
});

test('the Cluster join creates: server, credentials reference, optional region, zones and labels', () => {
  const base = { ...DEFAULT_MEMBER_OBJECTS, name: 'c1', zones: [], labels: {}, dryRun: false, waitMs: 0 };
  expect(clusterManifest(base, 'https://a')).toEqual({
    apiVersion: 'federation/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'c1' },
    spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://a' }], secretRef: { name: 'c1', namespace: 'federation-system' } },
  });
  expect(clusterManifest({ ...base, region: 'r', zones: ['r-a'], labels: { cloud: 'gce' } }, 'https://a')).toMatchObject({
    metadata: { labels: { cloud: 'gce' } },
    spec: { region: 'r', zones: ['r-a'] },
  });
});

test('status tables pad columns like kubectl', () => {
  expect(
    table(
      ['NAME', 'STATUS'],
      [
        ['a', 'Ready'],
        ['longer-name', 'Offline'],
      ],
    ),
  ).toBe('NAME          STATUS\na             Ready\nlonger-name   Offline');
});
