/**
 * Media types and query parameters through the real API server, as kube-apiserver negotiates them:
 * protobuf bodies and answers for built-in kinds, JSON only for Cluster (406/415 otherwise),
 * `/openapi/v2` in gnostic protobuf, and Python's `?watch=True`.
 */
import { request } from 'node:http';
import { decodeObject, encodeObject } from '../../../shared/api/protobuf/codec';
import { decodeOpenApiV2 } from '../../../shared/api/protobuf/openapi-v2';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { apiServerForThisFile } from '../../harness/api-file';

const api = apiServerForThisFile();

const PB = 'application/vnd.kubernetes.protobuf';
const ACCEPTED = ['application/json', 'application/yaml', PB];

function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  readMs?: number,
): Promise<{ status: number; type: string; body: Buffer }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const done = (): void => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', done);
        if (readMs !== undefined)
          setTimeout(() => {
            req.destroy();
            done();
          }, readMs);
      },
    );
    req.on('error', (e) => (readMs === undefined ? reject(e) : undefined));
    req.end(body);
  });
}

/** A Status in whichever media type it came. */
function statusOf(body: Buffer): Record<string, unknown> {
  return body.subarray(0, 4).toString('latin1') === 'k8s\0' ? decodeObject(body, ACCEPTED) : (JSON.parse(body.toString()) as Record<string, unknown>);
}

test('a protobuf Secret as kubectl ≥1.32 sends it is created and answered in protobuf; JSON clients still get JSON', async () => {
  const secret = encodeObject({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'pb' },
    data: { token: Buffer.from('s3cret').toString('base64') },
  }) as Buffer;
  const created = await raw(
    'POST',
    '/api/v1/namespaces/apps/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
    { 'content-type': PB, accept: `${PB},application/json` },
    secret,
  );
  expect(created.status).toBe(201);
  expect(created.type).toBe(PB);
  expect(decodeObject(created.body, ACCEPTED)).toMatchObject({
    kind: 'Secret',
    metadata: { name: 'pb', namespace: 'apps', uid: expect.any(String) as string },
  });

  const asJson = await raw('GET', '/api/v1/namespaces/apps/secrets/pb', { accept: 'application/json' });
  expect(asJson.type).toMatch(/^application\/json/);
  expect(JSON.parse(asJson.body.toString())).toMatchObject({ kind: 'Secret', metadata: { name: 'pb' } });

  const missing = await raw('GET', '/api/v1/namespaces/apps/secrets/nope', { accept: `${PB},application/json` });
  expect(missing.status).toBe(404);
  expect(decodeObject(missing.body, ACCEPTED)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
});

test('Cluster is JSON only, as a custom resource: JSON fallback, 406 without it, 415 for a protobuf body', async () => {
  const list = await raw('GET', '/apis/federation/v1beta1/clusters', { accept: `${PB},application/json` });
  expect(list.status).toBe(200);
  expect(JSON.parse(list.body.toString())).toMatchObject({ kind: 'ClusterList' });
  const only = await raw('GET', '/apis/federation/v1beta1/clusters', { accept: PB });
  expect(only.status).toBe(406);
  expect(statusOf(only.body)).toMatchObject({
    reason: 'NotAcceptable',
    message: 'only the following media types are accepted: application/json, application/yaml',
  });
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from('0a1d0a1266656465726174696f6e2f763162657461311207436c7573746572', 'hex')]);
  const refused = await raw('POST', '/apis/federation/v1beta1/clusters', { 'content-type': PB, accept: 'application/json' }, body);
  expect(refused.status).toBe(415);
  expect(JSON.parse(refused.body.toString())).toMatchObject({ reason: 'UnsupportedMediaType' });
});

test('/openapi/v2: gnostic protobuf for kubectl 1.27/1.28 (Content-Type Go can parse), JSON otherwise', async () => {
  const pb = await raw('GET', '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  expect(pb.status).toBe(200);
  expect(pb.type).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  expect(decodeOpenApiV2(pb.body)).toMatchObject({ swagger: '2.0' });
  const json = await raw('GET', '/openapi/v2', { accept: 'application/json' });
  expect(JSON.parse(json.body.toString())).toMatchObject({ swagger: '2.0', definitions: expect.any(Object) as object });
});

test('?watch=True (Python) streams watch events; a bad integer is a 400 like kube-apiserver', async () => {
  const watch = await raw('GET', '/api/v1/namespaces/apps/secrets?watch=True&timeoutSeconds=1', { accept: 'application/json' }, undefined, 4000);
  const lines = watch.body
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; object: { kind: string } });
  expect(lines.map((l) => `${l.type} ${l.object.kind}`)).toContain('ADDED Secret');
  const bad = await raw('GET', '/api/v1/namespaces/apps/secrets?watch=1&timeoutSeconds=soon', { accept: 'application/json' });
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.body.toString())).toMatchObject({ reason: 'BadRequest', message: 'strconv.ParseInt: parsing "soon": invalid syntax' });
});
