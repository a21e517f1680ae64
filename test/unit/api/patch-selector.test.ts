import { applyConfiguration, mergePatch, strategicMergePatch } from '../../../shared/api/patch';
import { matches, parseSelector } from '../../../shared/k8s/selector';
import { ApiError } from '../../../shared/k8s/status';

describe('label selectors', () => {
  const labels = { app: 'nginx', tier: 'web', env: 'prod' };
  test.each([
    ['', true], ['app=nginx', true], ['app==nginx', true], ['app!=nginx', false], ['app=nginx,tier=db', false],
    ['tier in (web,db)', true], ['env notin (prod)', false], ['env', true], ['!env', false], ['missing', false], ['!missing', true],
    ['missing!=x', true], ['app in (nginx), env notin (dev)', true],
  ])('%p matches=%p', (sel, ok) => expect(matches(parseSelector(sel), labels)).toBe(ok));
  test.each(['app=(x', 'a b', 'app in x', '=x', 'bad key!=x'])('%p is a 400', (sel) => {
    expect(() => parseSelector(sel)).toThrow(ApiError);
    try { parseSelector(sel); } catch (e) { expect((e as ApiError).code).toBe(400); }
  });
});

describe('patches', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } };
  test('merge patch sets, deletes with null, replaces lists', () => {
    expect(mergePatch(live, { metadata: { labels: { a: null, c: '3' } }, spec: { ports: [{ port: 81 }] } })).toEqual({
      metadata: { labels: { b: '2', c: '3' } }, spec: { type: 'ClusterIP', ports: [{ port: 81 }] },
    });
  });
  test('strategic merge patch merges ports by port and honours $patch: delete and $setElementOrder', () => {
    const out = strategicMergePatch(live, { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 80, targetPort: 9090 }, { port: 443, $patch: 'delete' }] } });
    expect(out).toEqual({ metadata: live.metadata, spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 9090 }] } });
  });
  test('apply removes fields the same manager dropped, keeps others', () => {
    const first = { metadata: { labels: { a: '1' } }, spec: { type: 'LoadBalancer' } };
    const liveAfter = applyConfiguration(live, first, undefined);
    const second = { metadata: { labels: {} }, spec: { type: 'LoadBalancer' } };
    const out = applyConfiguration(liveAfter, second, first) as { metadata: { labels: Record<string, string> } };
    expect(out.metadata.labels).toEqual({ b: '2' });
  });
  test('applying the same configuration twice changes nothing', () => {
    const cfg = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
    const once = applyConfiguration(live, cfg, undefined);
    expect(applyConfiguration(once, cfg, cfg)).toEqual(once);
  });
});
