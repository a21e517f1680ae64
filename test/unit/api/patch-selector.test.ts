import { jsonPatch, mergePatch, strategicMergePatch } from '../../../shared/api/patch';
import { matches, parseSelector } from '../../../shared/k8s/selector';
import { ApiError } from '../../../shared/k8s/status';

describe('label selectors', () => {
  const labels = { app: 'nginx', tier: 'web', env: 'prod' };
  test.each([
    ['', true],
    ['app=nginx', true],
    ['app==nginx', true],
    ['app!=nginx', false],
    ['app=nginx,tier=db', false],
    ['tier in (web,db)', true],
    ['env notin (prod)', false],
    ['env', true],
    ['!env', false],
    ['missing', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app in (nginx), env notin (dev)', true],
  ])('%p matches=%p', (sel, ok) => expect(matches(parseSelector(sel), labels)).toBe(ok));
  test.each(['app=(x', 'a b', 'app in x', '=x', 'bad key!=x'])('%p is a 400', (sel) => {
    expect(() => parseSelector(sel)).toThrow(ApiError);
    try {
      parseSelector(sel);
    } catch (e) {
      expect((e as ApiError).code).toBe(400);
    }
  });
});

describe('patches', () => {
  const live = {
    metadata: { labels: { a: '1', b: '2' } },
    spec: {
      type: 'ClusterIP',
      ports: [
        { port: 80, targetPort: 8080 },
        { port: 443, targetPort: 8443 },
      ],
    },
  };
  test('merge patch sets, deletes with null, replaces lists', () => {
    expect(mergePatch(live, { metadata: { labels: { a: null, c: '3' } }, spec: { ports: [{ port: 81 }] } })).toEqual({
      metadata: { labels: { b: '2', c: '3' } },
      spec: { type: 'ClusterIP', ports: [{ port: 81 }] },
    });
  });
  test('strategic merge patch merges ports by port and honours $patch: delete and $setElementOrder', () => {
    const out = strategicMergePatch(live, {
      spec: {
        '$setElementOrder/ports': [{ port: 80 }, { port: 443 }],
        ports: [
          { port: 80, targetPort: 9090 },
          { port: 443, $patch: 'delete' },
        ],
      },
    });
    expect(out).toEqual({ metadata: live.metadata, spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 9090 }] } });
  });
  test('JSON patch (RFC 6902): add, replace, remove, test; a failed test is a 422 and changes nothing', () => {
    expect(
      jsonPatch(live, [
        { op: 'replace', path: '/spec/type', value: 'NodePort' },
        { op: 'add', path: '/spec/ports/-', value: { port: 53 } },
        { op: 'remove', path: '/metadata/labels/a' },
        { op: 'test', path: '/spec/ports/0/port', value: 80 },
      ]),
    ).toEqual({ metadata: { labels: { b: '2' } }, spec: { type: 'NodePort', ports: [...live.spec.ports, { port: 53 }] } });
    for (const bad of [[{ op: 'test', path: '/spec/type', value: 'x' }], [{ op: 'remove', path: '/spec/nothing' }], [{ op: 'frobnicate', path: '/spec' }]]) {
      let err: unknown;
      try {
        jsonPatch(live, bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(422);
      expect((err as ApiError).message).toBe('the server rejected our request due to an error in our request');
    }
    expect(live.spec.type).toBe('ClusterIP');
    expect(() => jsonPatch(live, { op: 'add' })).toThrow('cannot unmarshal object');
  });
});
