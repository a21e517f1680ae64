import { Cluster } from '../../../shared/model/cluster';
import { clusterStatusChanged, propagationProblem } from '../../../shared/recorder/occurrences';

const svc = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name: 'web', uid: 'u-1' } };

describe('propagation problems are recorded when they appear or change, not while they persist', () => {
  test.each([
    ['a new error', undefined, { error: 'create failed: Timeout' }, 'PropagationFailed'],
    ['the same error again', { error: 'create failed: Timeout' }, { error: 'create failed: Timeout' }, undefined],
    ['a different error', { error: 'create failed: Timeout' }, { error: 'update failed: Forbidden' }, 'PropagationFailed'],
    ['a new conflict', {}, { conflict: 'a Service skyfed did not create exists' }, 'Conflict'],
    ['the same conflict', { conflict: 'x' }, { conflict: 'x' }, undefined],
    ['recovered', { error: 'e' }, {}, undefined],
  ])('%s', (_w, before, after: { error?: string; conflict?: string }, reason) => {
    const o = propagationProblem(svc, 'east', before, after);
    expect(o?.reason).toBe(reason);
    if (o) {
      expect(o.type).toBe('Warning');
      expect(o.message).toBe(`Cluster east: ${after.error ?? after.conflict ?? ''}`);
      expect(o.regarding).toEqual({ kind: 'Service', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: 'u-1' });
    }
  });
});

describe('cluster status changes', () => {
  const cluster = (ready: string, offline: string, message = 'm'): Cluster =>
    ({
      apiVersion: 'federation/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'east', uid: 'c-1' },
      spec: {},
      status: {
        conditions: [
          { type: 'Ready', status: ready, message },
          { type: 'Offline', status: offline, message: 'no answer' },
        ],
      },
    }) as unknown as Cluster;
  test.each([
    [
      'Unknown → Ready',
      { ...cluster('True', 'False'), status: {} } as Cluster,
      cluster('True', 'False', '/readyz responded with ok'),
      'Normal ClusterReady Cluster is Ready: /readyz responded with ok',
    ],
    ['Ready → Offline', cluster('True', 'False'), cluster('Unknown', 'True'), 'Warning ClusterOffline Cluster is Offline: no answer'],
    ['Ready → NotReady', cluster('True', 'False'), cluster('False', 'False', 'readyz 500'), 'Warning ClusterNotReady Cluster is NotReady: readyz 500'],
    ['Ready → Ready (a message changed)', cluster('True', 'False'), cluster('True', 'False', 'other'), undefined],
  ])('%s', (_w, before, after, expected) => {
    const o = clusterStatusChanged(before, after);
    expect(o ? `${o.type} ${o.reason} ${o.message}` : undefined).toBe(expected);
    if (o) expect(o.regarding).toEqual({ kind: 'Cluster', apiVersion: 'federation/v1beta1', name: 'east', uid: 'c-1' });
  });
});
