/**
 * kube-apiserver semantics kubectl relies on, through the api function on the Firestore emulator:
 * server-side apply field ownership, dry-run, JSON patch, field selectors, paging, Table watches.
 */
import { request } from 'node:http';
import { ADMIN_TOKEN, snapshotStore } from '../../harness/api-server';
import { apiServerForThisFile } from '../../harness/api-file';
import { call } from '../../harness/http';

const api = apiServerForThisFile();

const T = { token: ADMIN_TOKEN };
const svcs = (ns: string): string => `/api/v1/namespaces/${ns}/services`;
const apply = (ns: string, name: string, yaml: string, manager: string, force = false, extra = '') =>
  call(api.url, 'PATCH', `${svcs(ns)}/${name}?fieldManager=${manager}${force ? '&force=true' : ''}${extra}`, {
    ...T,
    body: yaml,
    contentType: 'application/apply-patch+yaml',
  });
const webYaml = (spec: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n${spec}`;
type Managed = { manager: string; operation: string; fieldsV1: Record<string, unknown> }[];
const managersOf = (body: Record<string, unknown>): string[] =>
  ((body['metadata'] as { managedFields?: Managed }).managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);

test('server-side apply: ownership, conflict, force, and pruning a field the applier dropped', async () => {
  const first = await apply('ssa', 'web', webYaml('  type: ClusterIP\n  sessionAffinity: ClientIP\n  ports:\n  - port: 80\n'), 'alice');
  expect(first.status).toBe(201);
  expect(managersOf(first.body)).toEqual(['alice/Apply']);
  expect((first.body['metadata'] as { managedFields: Managed }).managedFields[0]?.fieldsV1).toEqual({
    'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:sessionAffinity': {}, 'f:type': {} },
  });

  const conflict = await apply('ssa', 'web', webYaml('  type: NodePort\n'), 'bob');
  expect(conflict.status).toBe(409);
  expect(conflict.body).toMatchObject({
    kind: 'Status',
    reason: 'Conflict',
    code: 409,
    message: 'Apply failed with 1 conflict: conflict with "alice": .spec.type',
  });
  expect((await call(api.url, 'GET', `${svcs('ssa')}/web`, T)).body['spec']).toMatchObject({ type: 'ClusterIP' });

  const forced = await apply('ssa', 'web', webYaml('  type: NodePort\n'), 'bob', true);
  expect(forced.status).toBe(200);
  expect(forced.body['spec']).toMatchObject({ type: 'NodePort' });
  expect(managersOf(forced.body).sort()).toEqual(['alice/Apply', 'bob/Apply']);

  // alice drops sessionAffinity (she alone owns it): it goes back to its default; type stays bob's.
  const dropped = await apply('ssa', 'web', webYaml('  ports:\n  - port: 80\n'), 'alice');
  expect(dropped.status).toBe(200);
  expect(dropped.body['spec']).toMatchObject({ type: 'NodePort', sessionAffinity: 'None' });

  // A non-apply write is an Update manager, named by fieldManager (or the User-Agent's program).
  const edited = await call(api.url, 'PATCH', `${svcs('ssa')}/web?fieldManager=kubectl-edit`, {
    ...T,
    body: { metadata: { labels: { team: 'a' } } },
    contentType: 'application/merge-patch+json',
  });
  expect(managersOf(edited.body)).toContain('kubectl-edit/Update');
  const again = await apply('ssa', 'web', webYaml('  ports:\n  - port: 80\n'), 'alice');
  expect(again.body['metadata']).toMatchObject({ resourceVersion: (edited.body['metadata'] as { resourceVersion: string }).resourceVersion });

  // managedFields sent by a client replace the stored ones ([{}] resets them, as in Kubernetes): no owner, no conflict.
  const reset = await call(api.url, 'PATCH', `${svcs('ssa')}/web`, {
    ...T,
    contentType: 'application/json-patch+json',
    body: [{ op: 'replace', path: '/metadata/managedFields', value: [{}] }],
  });
  expect(reset.status).toBe(200);
  expect(managersOf(reset.body)).toEqual([]);
  expect((await apply('ssa', 'web', webYaml('  type: LoadBalancer\n'), 'carol')).status).toBe(200);
  const withFields = await call(api.url, 'PATCH', `${svcs('ssa')}/web?fieldManager=carol`, {
    ...T,
    contentType: 'application/apply-patch+yaml',
    body: `${webYaml('  type: LoadBalancer\n').replace('  name: web\n', '  name: web\n  managedFields: [{manager: x}]\n')}`,
  });
  expect(withFields.body).toMatchObject({ code: 400, message: 'metadata.managedFields must be nil' });
});

test('dry-run of a patch returns the object as it would be stored and writes nothing', async () => {
  expect((await apply('dry', 'web', webYaml('  type: LoadBalancer\n  ports:\n  - port: 80\n'), 'alice')).status).toBe(201);
  const before = await snapshotStore(api.db);
  const merge = await call(api.url, 'PATCH', `${svcs('dry')}/web?dryRun=All`, {
    ...T,
    body: { spec: { ports: [{ port: 8080 }] } },
    contentType: 'application/merge-patch+json',
  });
  expect(merge.status).toBe(200);
  expect((merge.body['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([8080]);
  expect(merge.body['status']).toBeDefined();
  const applied = await apply('dry', 'web', webYaml('  type: LoadBalancer\n  ports:\n  - port: 443\n'), 'alice', false, '&dryRun=All');
  expect((applied.body['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([443]);
  const put = await call(api.url, 'PUT', `${svcs('dry')}/web?dryRun=All`, {
    ...T,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 81 }] } },
  });
  expect(put.body['spec']).toMatchObject({ type: 'NodePort' });
  expect(await snapshotStore(api.db)).toBe(before);
});

test('JSON patch (RFC 6902)', async () => {
  expect((await apply('jp', 'web', webYaml('  ports:\n  - port: 80\n'), 'alice')).status).toBe(201);
  const r = await call(api.url, 'PATCH', `${svcs('jp')}/web`, {
    ...T,
    contentType: 'application/json-patch+json',
    body: [
      { op: 'test', path: '/spec/type', value: 'ClusterIP' },
      { op: 'add', path: '/spec/ports/-', value: { name: 'https', port: 443 } },
      { op: 'add', path: '/spec/ports/0/name', value: 'http' },
    ],
  });
  expect(r.status).toBe(200);
  expect((r.body['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([80, 443]);
});

test('field selectors: != and ==; unsupported fields are a 400', async () => {
  for (const n of ['a', 'b', 'c'])
    expect((await apply('fs', n, webYaml('  ports:\n  - port: 80\n').replace('name: web', `name: ${n}`), 'alice')).status).toBe(201);
  const names = async (sel: string) =>
    ((await call(api.url, 'GET', `${svcs('fs')}?fieldSelector=${encodeURIComponent(sel)}`, T)).body['items'] as { metadata: { name: string } }[]).map(
      (i) => i.metadata.name,
    );
  expect(await names('metadata.name!=b')).toEqual(['a', 'c']);
  expect(await names('metadata.name==b')).toEqual(['b']);
  expect(await names('metadata.name!=a,metadata.name!=c')).toEqual(['b']);
  const bad = await call(api.url, 'GET', `${svcs('fs')}?fieldSelector=spec.type%3DClusterIP`, T);
  expect(bad.body).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.type' });
});

test('limit/continue page through a list once each; remainingItemCount; an old token is 410 Expired', async () => {
  for (let i = 0; i < 7; i++)
    expect((await apply('page', `s${i}`, webYaml('  ports:\n  - port: 80\n').replace('name: web', `name: s${i}`), 'alice')).status).toBe(201);
  const seen: string[] = [];
  let token: string | undefined;
  const remaining: number[] = [];
  do {
    const r = await call(api.url, 'GET', `${svcs('page')}?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`, T);
    expect(r.status).toBe(200);
    const meta = r.body['metadata'] as { continue?: string; remainingItemCount?: number };
    seen.push(...(r.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name));
    if (meta.remainingItemCount !== undefined) remaining.push(meta.remainingItemCount);
    token = meta.continue;
  } while (token);
  expect(seen).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  expect(remaining).toEqual([4, 1]);
  const all = await call(api.url, 'GET', '/api/v1/services?limit=2&labelSelector=missing', T);
  expect(all.body['items']).toEqual([]);

  const old = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: (Date.now() - 3600_000) * 1000, start: 'namespaces/page/services/s2' })).toString(
    'base64url',
  );
  const expired = await call(api.url, 'GET', `${svcs('page')}?limit=3&continue=${old}`, T);
  expect(expired.status).toBe(410);
  expect(expired.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  expect(expired.body['message']).toMatch(/^The provided continue parameter is too old/);
  expect((await call(api.url, 'GET', `${svcs('page')}?limit=3&continue=garbage`, T)).status).toBe(400);
});

/** Opens a watch and collects its lines for `ms`; also reports when the response headers arrived. */
function watch(path: string, accept: string | undefined, ms: number): Promise<{ headersMs: number; lines: Record<string, unknown>[] }> {
  const url = new URL(api.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(accept ? { accept } : {}) } },
      (res) => {
        const headersMs = Date.now() - started;
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
        });
        setTimeout(() => {
          req.destroy();
          resolve({
            headersMs,
            lines: buf
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Record<string, unknown>),
          });
        }, ms);
      },
    );
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
    req.end();
  });
}

test('a watch sends its headers at once, even with no event to send (kubectl wait relies on it)', async () => {
  const list = await call(api.url, 'GET', svcs('quiet'), T);
  const rv = (list.body['metadata'] as { resourceVersion: string }).resourceVersion;
  const w = await watch(`${svcs('quiet')}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dnone`, undefined, 1500);
  expect(w.headersMs).toBeLessThan(1000);
  expect(w.lines).toEqual([]);
});

test('watch with as=Table: events carry one-row Tables, column definitions on the first only', async () => {
  expect((await apply('tw', 'a', webYaml('  ports:\n  - port: 80\n').replace('name: web', 'name: a'), 'alice')).status).toBe(201);
  expect((await apply('tw', 'b', webYaml('  ports:\n  - port: 80\n').replace('name: web', 'name: b'), 'alice')).status).toBe(201);
  const w = await watch(`${svcs('tw')}?watch=true`, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 1500);
  expect(w.lines.map((l) => l['type'])).toEqual(['ADDED', 'ADDED']);
  const tables = w.lines.map((l) => l['object'] as { kind: string; columnDefinitions: unknown[]; rows: { cells: unknown[] }[] });
  expect(tables.map((t) => t.kind)).toEqual(['Table', 'Table']);
  expect(tables[0]?.columnDefinitions.length).toBeGreaterThan(0);
  expect(tables[1]?.columnDefinitions).toEqual([]);
  expect(tables.map((t) => t.rows[0]?.cells[0])).toEqual(['a', 'b']);
});

test('applied Secrets: managedFields name keys only; no value is stored in plain text', async () => {
  const value = 'plain-member-token-never-stored';
  const secret = (manager: string, key: string) =>
    call(api.url, 'PATCH', `/api/v1/namespaces/federation-system/secrets/creds?fieldManager=${manager}`, {
      ...T,
      contentType: 'application/apply-patch+yaml',
      body: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  ${key}: ${value}\n`,
    });
  expect((await secret('alice', 'token')).status).toBe(201);
  const second = await secret('alice', 'token');
  expect(second.status).toBe(200);
  expect(second.text).not.toContain(value);
  const stored = JSON.stringify((await api.db.doc('namespaces/federation-system/secrets/creds').get()).data());
  expect(stored).toContain('f:token');
  expect(stored).not.toContain(value);
  expect(stored).not.toContain(Buffer.from(value).toString('base64').slice(0, 12));
});
