/**
 * Server-side apply field ownership as Kubernetes (structured-merge-diff) defines it: field sets,
 * fieldsV1, conflicts, force, removal of fields an applier drops, Update managers.
 */
import { applyConfiguration, recordManagers } from '../../../shared/api/ssa/apply';
import { fromFieldsV1, pathOf, pathString, toFieldSet, toFieldsV1 } from '../../../shared/api/ssa/fieldset';
import { Obj } from '../../../shared/api/ssa/schema';
import { ownershipView } from '../../../shared/api/ssa/view';
import { ApiError } from '../../../shared/k8s/status';
import { KubeObject } from '../../../shared/model/meta';

const T0 = '2026-01-01T00:00:00Z';
const svc = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', ...metadata },
  spec,
});
const paths = (o: Record<string, unknown>): string[] => [...toFieldSet(o as Obj)].map((id) => pathString(pathOf(id))).sort();

describe('field sets', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['leaves', { spec: { type: 'ClusterIP' } }, ['.spec.type']],
    [
      'ports keyed by port+protocol, protocol defaulted',
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      ['.spec.ports[port=80,protocol="TCP"]', '.spec.ports[port=80,protocol="TCP"].port', '.spec.ports[port=80,protocol="TCP"].targetPort'],
    ],
    ['selector is atomic', { spec: { selector: { app: 'web', tier: 'x' } } }, ['.spec.selector']],
    ['labels are granular', { metadata: { labels: { a: '1', b: '2' } } }, ['.metadata.labels.a', '.metadata.labels.b']],
    ['finalizers are a set', { metadata: { finalizers: ['x'] } }, ['.metadata.finalizers[="x"]']],
    ['an unkeyed list is atomic', { spec: { externalIPs: ['1.2.3.4'] } }, ['.spec.externalIPs']],
  ])('%s', (_n, obj, expected) => expect(paths(obj)).toEqual(expected));

  test('fieldsV1 encodes as Kubernetes does and round-trips', () => {
    const set = toFieldSet({ spec: { ports: [{ port: 80 }], type: 'LoadBalancer' } });
    expect(toFieldsV1(set)).toEqual({ 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:type': {} } });
    expect([...fromFieldsV1(toFieldsV1(set))].sort()).toEqual([...set].sort());
  });
});

/** Applies `config` as `manager` onto `live` (prepare is the identity here). */
function apply(live: KubeObject | undefined, config: KubeObject, manager: string, force = false, time = T0): KubeObject {
  if (!live) return recordManagers(undefined, config, { manager, operation: 'Apply', applied: toFieldSet(ownershipView(config)), force, time });
  const { object, fields } = applyConfiguration(live, config, manager);
  return recordManagers(live, object, { manager, operation: 'Apply', applied: fields, force, time });
}
const update = (live: KubeObject, next: KubeObject, manager: string): KubeObject =>
  recordManagers(live, next, { manager, operation: 'Update', force: false, time: T0 });
const owners = (o: KubeObject): Record<string, string[]> =>
  Object.fromEntries(
    (o.metadata.managedFields as { manager: string; operation: string; fieldsV1: unknown }[]).map((m) => [
      `${m.manager}/${m.operation}`,
      [...fromFieldsV1(m.fieldsV1)].map((id) => pathString(pathOf(id))).sort(),
    ]),
  );
function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('no conflict');
}

describe('ownership', () => {
  const base = apply(undefined, svc({ type: 'ClusterIP', ports: [{ port: 80 }] }), 'alice');

  test('the applier owns what it applied, recorded as Apply', () => {
    expect(owners(base)).toEqual({ 'alice/Apply': ['.spec.ports[port=80,protocol="TCP"]', '.spec.ports[port=80,protocol="TCP"].port', '.spec.type'] });
    expect(base.metadata.managedFields?.[0]).toMatchObject({ manager: 'alice', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', time: T0 });
  });

  test("a second applier changing a field the first owns gets 409 Conflict with kube-apiserver's message", () => {
    const e = conflictOf(() => apply(base, svc({ type: 'NodePort' }), 'bob'));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.type');
    expect(e.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.type' }]);
  });

  test('an Update manager is named with its API version; several conflicts are listed per manager', () => {
    const edited = update(base, svc({ type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'None' }), 'kubectl-client-side-apply');
    expect(owners(edited)['kubectl-client-side-apply/Update']).toEqual(['.spec.sessionAffinity', '.spec.type']);
    expect(owners(edited)['alice/Apply']).not.toContain('.spec.type');
    const one = conflictOf(() => apply(edited, svc({ type: 'NodePort' }), 'bob'));
    expect(one.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.type');
    const two = conflictOf(() => apply(edited, svc({ type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 9 }] }), 'bob'));
    expect(two.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .spec.sessionAffinity\n- .spec.type');
  });

  test('applying the same value another manager set is no conflict: both own it', () => {
    const shared = apply(base, svc({ type: 'ClusterIP' }), 'bob');
    expect(owners(shared)['bob/Apply']).toEqual(['.spec.type']);
    expect(owners(shared)['alice/Apply']).toContain('.spec.type');
  });

  test('force takes the field from its owner', () => {
    const forced = apply(base, svc({ type: 'NodePort' }), 'bob', true);
    expect((forced['spec'] as Record<string, unknown>)['type']).toBe('NodePort');
    expect(owners(forced)['bob/Apply']).toEqual(['.spec.type']);
    expect(owners(forced)['alice/Apply']).not.toContain('.spec.type');
  });

  test('an applier dropping a field it alone owns removes it; one another manager owns stays', () => {
    const two = apply(base, svc({ type: 'ClusterIP', ports: [{ port: 80 }, { port: 443, name: 'https' }], sessionAffinity: 'ClientIP' }), 'alice');
    const withBob = apply(two, svc({ sessionAffinity: 'ClientIP' }), 'bob');
    const dropped = apply(withBob, svc({ type: 'ClusterIP', ports: [{ port: 80 }] }), 'alice');
    const spec = dropped['spec'] as Record<string, unknown>;
    expect(spec['ports']).toEqual([{ port: 80 }]);
    expect(spec['sessionAffinity']).toBe('ClientIP');
    expect(owners(dropped)['alice/Apply']).not.toContain('.spec.sessionAffinity');
  });

  test('applying twice changes neither object nor owners', () => {
    const again = apply(base, svc({ type: 'ClusterIP', ports: [{ port: 80 }] }), 'alice');
    expect(again).toEqual(base);
  });

  test('ports merge by port+protocol: another applier adds a port without touching the first', () => {
    const more = apply(base, svc({ ports: [{ port: 53, protocol: 'UDP', name: 'dns' }] }), 'bob');
    expect((more['spec'] as { ports: unknown[] }).ports).toEqual([{ port: 53, protocol: 'UDP', name: 'dns' }, { port: 80 }]);
    expect(owners(more)['alice/Apply']).toContain('.spec.ports[port=80,protocol="TCP"].port');
  });

  test('an Update that removes a field takes it from every manager', () => {
    const removed = update(base, svc({ ports: [{ port: 80 }] }), 'kubectl-edit');
    expect(owners(removed)['alice/Apply']).not.toContain('.spec.type');
    expect(owners(removed)['kubectl-edit/Update']).toBeUndefined();
  });
});

describe('Secrets: ownership holds keys, never values', () => {
  test('managedFields name the data key only', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns', annotations: { 'skyfed.io/data-keys': 'token:20' } },
    };
    const out = recordManagers(undefined, { ...secret, data: { token: Buffer.from('super-secret-value-1').toString('base64') } } as KubeObject, {
      manager: 'kubectl-create',
      operation: 'Update',
      force: false,
      time: T0,
    });
    const text = JSON.stringify(out.metadata.managedFields);
    expect(text).toContain('f:token');
    expect(text).not.toContain(Buffer.from('super-secret-value-1').toString('base64'));
    expect(text).not.toContain('skyfed.io/data-keys');
  });
});
