import { MemberService, desiredMember, mergeForUpdate } from '../../../shared/propagation/member';
import { ClusterView, MemberAction, needsFinalizer, planPropagation } from '../../../shared/propagation/plan';
import { matches } from '../../../shared/k8s/selector';
import { parseClusterSelector } from '../../../shared/propagation/placement';
import { Service } from '../../../shared/model/service';

const fed = (over: Partial<Service['metadata']> = {}, spec: Partial<Service['spec']> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'web', uid: 'f-uid', labels: { app: 'nginx' }, finalizers: ['skyfed.io/member-cleanup'], ...over },
  spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', ...spec },
});

/** What a member API server returns after creating `desired`: allocated IPs, nodePorts, defaults. */
const allocated = (s: Service, extra: Partial<MemberService['spec']> = {}): MemberService => {
  const d = desiredMember(s);
  const lb = d.spec.type === 'LoadBalancer' || d.spec.type === 'NodePort';
  return {
    ...d,
    metadata: { ...d.metadata, uid: 'u1', resourceVersion: '7' },
    spec: {
      ...d.spec,
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...(lb ? { externalTrafficPolicy: 'Cluster' } : {}),
      ports: (d.spec.ports ?? []).map((p, i) => (lb ? { ...p, nodePort: 30000 + i } : p)),
      ...extra,
    },
  };
};
const foreign = (_s: Service): MemberService => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'web', resourceVersion: '3' },
  spec: { ports: [{ port: 80 }] },
});

const cluster = (name: string, members: MemberService[] = [], labels: Record<string, string> = {}): ClusterView => ({
  name,
  labels,
  members: new Map(members.map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m])),
});
const ops = (a: readonly MemberAction[] | undefined): string[] => (a ?? []).map((x) => `${x.op} ${x.key}`);

describe('planPropagation', () => {
  test.each<[string, Service[], ClusterView[], Record<string, string[]>]>([
    ['create where missing', [fed()], [cluster('a'), cluster('b', [allocated(fed())])], { a: ['create web/nginx'], b: [] }],
    ['no-op when member is equivalent despite allocated fields', [fed()], [cluster('a', [allocated(fed())])], { a: [] }],
    [
      'update when the spec changed',
      [fed({}, { ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }] })],
      [cluster('a', [allocated(fed())])],
      { a: ['update web/nginx'] },
    ],
    ['update when a label changed', [fed({ labels: { app: 'nginx', tier: 'web' } })], [cluster('a', [allocated(fed())])], { a: ['update web/nginx'] }],
    ['repair a hand edit of the member', [fed()], [cluster('a', [allocated(fed(), { type: 'ClusterIP' })])], { a: ['update web/nginx'] }],
    ['foreign object is a conflict, not adopted', [fed()], [cluster('a', [foreign(fed())])], { a: ['conflict web/nginx'] }],
    ['foreign object adopted when asked', [fed({ annotations: { 'skyfed.io/adopt': 'true' } })], [cluster('a', [foreign(fed())])], { a: ['update web/nginx'] }],
    [
      'a skyfed-labelled member of no known federated Service is reported, never deleted (store lost its data)',
      [],
      [cluster('a', [allocated(fed())])],
      { a: ['conflict web/nginx'] },
    ],
    [
      'a member carrying another uid is not cascaded',
      [fed({ uid: 'new-uid', deletionTimestamp: '2026-01-01T00:00:00Z' })],
      [cluster('a', [allocated(fed())])],
      { a: ['conflict web/nginx'] },
    ],
    [
      'a skyfed-labelled member without a uid is not removed by placement',
      [fed({ annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"cloud","operator":"in","values":["gce"]}]' } })],
      [cluster('aws', [{ ...allocated(fed()), metadata: { ...allocated(fed()).metadata, annotations: {} } }], { cloud: 'aws' })],
      { aws: ['conflict web/nginx'] },
    ],
    ['never delete a foreign Service', [], [cluster('a', [foreign(fed())])], { a: [] }],
    [
      'cascade delete',
      [fed({ deletionTimestamp: '2026-01-01T00:00:00Z' })],
      [cluster('a', [allocated(fed())]), cluster('b')],
      { a: ['delete web/nginx'], b: [] },
    ],
    [
      'orphan delete releases members',
      [fed({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['skyfed.io/member-cleanup', 'orphan'] })],
      [cluster('a', [allocated(fed())])],
      { a: ['release web/nginx'] },
    ],
    [
      'placement: only matching clusters',
      [fed({ annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"cloud","operator":"in","values":["gce"]}]' } })],
      [cluster('gce', [], { cloud: 'gce' }), cluster('aws', [], { cloud: 'aws' })],
      { gce: ['create web/nginx'], aws: [] },
    ],
    [
      'placement: leaving the selection removes the member',
      [fed({ annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"cloud","operator":"in","values":["gce"]}]' } })],
      [cluster('aws', [allocated(fed())], { cloud: 'aws' })],
      { aws: ['delete web/nginx'] },
    ],
  ])('%s', (_name, services, clusters, expected) => {
    const plan = planPropagation({ services, clusters });
    expect(Object.fromEntries([...plan.actions].map(([c, a]) => [c, ops(a)]))).toEqual(expected);
  });

  test('garbage-collect a member whose federated Service is known to be deleted (its uid)', () => {
    const plan = planPropagation({ services: [], clusters: [cluster('a', [allocated(fed())])], deletedUids: new Set(['f-uid']) });
    expect(ops(plan.actions.get('a'))).toEqual(['delete web/nginx']);
    const other = planPropagation({ services: [], clusters: [cluster('a', [allocated(fed())])], deletedUids: new Set(['someone-else']) });
    expect(ops(other.actions.get('a'))).toEqual(['conflict web/nginx']);
  });

  test('a scoped plan ignores other federated Services, even orphans of them', () => {
    const other = { ...allocated(fed()), metadata: { ...allocated(fed()).metadata, name: 'other' } };
    const plan = planPropagation({ services: [fed()], clusters: [cluster('a', [other])], scope: new Set(['web/nginx']) });
    expect(ops(plan.actions.get('a'))).toEqual(['create web/nginx']);
  });

  test('finalizers: added before members exist, finalize listed when deleting', () => {
    expect(
      [fed({ finalizers: [] }), fed({ deletionTimestamp: 'x', finalizers: [] }), fed({ finalizers: ['skyfed.io/member-cleanup'] })].map(needsFinalizer),
    ).toEqual([true, false, false]);
    expect(planPropagation({ services: [fed({ deletionTimestamp: 'x' })], clusters: [] }).finalize).toEqual(['web/nginx']);
  });

  test('applying the plan once leaves nothing to do', () => {
    const services = [fed(), fed({ name: 'api', labels: { app: 'api' } }, { type: 'ClusterIP', ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }] })];
    const start = [cluster('a', [allocated(fed(), { type: 'NodePort' })]), cluster('b')];
    const plan = planPropagation({ services, clusters: start });
    // Apply: created members get allocations, updates keep them.
    const after = start.map((c) => {
      const members = new Map(c.members);
      for (const a of plan.actions.get(c.name) ?? []) {
        if (a.op === 'create') members.set(a.key, allocated(services.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === a.key) as Service));
        if (a.op === 'update') members.set(a.key, a.body);
      }
      return { ...c, members };
    });
    expect(writeOps(planPropagation({ services, clusters: after }))).toEqual([]);
  });
});

function writeOps(plan: ReturnType<typeof planPropagation>): string[] {
  return [...plan.actions.values()].flat().map((a) => `${a.op} ${a.key}`);
}

describe('mergeForUpdate keeps what the member allocated', () => {
  test('clusterIP, clusterIPs and nodePorts kept; nodePorts dropped when the type no longer takes them', () => {
    const live = allocated(fed());
    const lb = mergeForUpdate(desiredMember(fed()), live);
    expect(lb.spec.clusterIP).toBe('10.96.0.10');
    expect(lb.spec.ports?.[0]?.nodePort).toBe(30000);
    expect(lb.metadata.resourceVersion).toBe('7');
    const cip = mergeForUpdate(desiredMember(fed({}, { type: 'ClusterIP' })), live);
    expect(cip.spec.ports?.[0]?.nodePort).toBeUndefined();
  });
  test('the member carries the ownership label and no federation-only annotations', () => {
    const d = desiredMember(fed({ annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[]', team: 'x' } }));
    expect(d.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('skyfed');
    expect(d.metadata.annotations).toEqual({ team: 'x', 'skyfed.io/federated-service': 'web/nginx', 'skyfed.io/federated-uid': 'f-uid' });
  });
});

describe('cluster selector', () => {
  test.each([
    ['[{"key":"env","operator":"In","values":["prod"]}]', { env: 'prod' }, true],
    ['[{"key":"env","operator":"NotIn","values":["prod"]}]', { env: 'prod' }, false],
    ['[{"key":"gpu","operator":"Exists"}]', {}, false],
    ['[{"key":"gpu","operator":"DoesNotExist"}]', {}, true],
    ['[{"key":"nodes","operator":"Gt","values":["3"]}]', { nodes: '5' }, true],
    ['[{"key":"nodes","operator":"Lt","values":["3"]}]', { nodes: '5' }, false],
    ['[]', { any: 'x' }, true],
  ])('%s on %p → %p', (sel, labels, ok) => {
    const { requirements, problems } = parseClusterSelector(sel);
    expect(problems).toEqual([]);
    expect(matches(requirements, labels)).toBe(ok);
  });
  test.each(['not json', '{"key":"a"}', '[{"key":"a","operator":"near"}]', '[{"key":"a","operator":"In"}]'])('%s is rejected', (sel) => {
    expect(parseClusterSelector(sel).problems.length).toBeGreaterThan(0);
  });
});
