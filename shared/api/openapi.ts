/**
 * The OpenAPI documents kubectl reads: v3 (`/openapi/v3` index + one document per group-version;
 * kubectl ≥1.27 for explain and field-validation checks) and v2 (`/openapi/v2`, one document; kubectl
 * 1.27/1.28 read it for create -f, apply and explain, in protobuf: protobuf/openapi-v2.ts). Both are
 * built from the kinds' structural schemas (model/schema.ts), published as kube-apiserver publishes
 * built-in types: ObjectMeta and IntOrString by reference, no closed-object markers.
 */
import { createHash } from 'node:crypto';
import { Schema, objectMeta } from '../model/schema';
import { ResourceType, apiVersionOf } from './resources';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'];

type Version = 'v2' | 'v3';

function schemaName(t: ResourceType): string {
  return `io.skyfed.${t.group || 'core'}.${t.version}.${t.kind}`;
}

function ref(version: Version, name: string): string {
  return version === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}`;
}

/** A field of a shared type: kubectl explain names the type (`<ObjectMeta>`, `<IntOrString>`). */
function refTo(version: Version, name: string, description: unknown): Schema {
  const d = typeof description === 'string' ? { description } : {};
  return version === 'v3' ? { ...d, allOf: [{ $ref: ref(version, name) }] } : { ...d, $ref: ref(version, name) };
}

/** A decoding schema as published: references for shared types, one type per field. */
export function publish(s: Schema, version: Version): Schema {
  if (s === objectMeta) return refTo(version, OBJECT_META, 'Standard object metadata.');
  if (s['x-kubernetes-int-or-string'] === true) return refTo(version, INT_OR_STRING, s['description']);
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'additionalProperties' && v === false) continue;
    if (k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([name, p]) => [name, publish(p, version)]));
    } else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object' && v !== null) {
      out[k] = publish(v as Schema, version);
    } else out[k] = v;
  }
  return out;
}

function gvkOf(t: ResourceType): Record<string, string> {
  return { group: t.group, version: t.version, kind: t.kind };
}

function collectionPath(t: ResourceType): string {
  const prefix = t.group ? `/apis/${apiVersionOf(t)}` : `/api/${apiVersionOf(t)}`;
  return t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
}

/** The operations of one kind, in either version's shape. */
function paths(t: ResourceType, version: Version): Record<string, unknown> {
  const schema = { $ref: ref(version, schemaName(t)) };
  const queryParam = (name: string): Record<string, unknown> =>
    version === 'v3' ? { name, in: 'query', schema: { type: 'string', uniqueItems: true } } : { name, in: 'query', type: 'string', uniqueItems: true };
  const op = (action: string, verb: string, withBody: boolean): Record<string, unknown> => {
    const params = withBody ? WRITE_PARAMS.map(queryParam) : [];
    if (withBody && version === 'v2') params.push({ name: 'body', in: 'body', required: true, schema });
    return {
      operationId: `${verb}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvkOf(t),
      parameters: params,
      ...(withBody && version === 'v3' ? { requestBody: { content: { '*/*': { schema } } } } : {}),
      responses: { '200': version === 'v3' ? { description: 'OK', content: { 'application/json': { schema } } } : { description: 'OK', schema } },
    };
  };
  const pathParam = (name: string): Record<string, unknown> =>
    version === 'v3'
      ? { name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }
      : { name, in: 'path', required: true, type: 'string', uniqueItems: true };
  const scope = t.namespaced ? [pathParam('namespace')] : [];
  const collection = collectionPath(t);
  return {
    [collection]: { get: op('list', 'list', false), post: op('post', 'create', true), parameters: scope },
    [`${collection}/{name}`]: {
      get: op('get', 'read', false),
      put: op('put', 'replace', true),
      patch: op('patch', 'patch', true),
      delete: op('delete', 'delete', false),
      parameters: [pathParam('name'), ...scope],
    },
  };
}

function definitions(picked: readonly ResourceType[], version: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {
    [OBJECT_META]: publish({ ...objectMeta }, version),
    [INT_OR_STRING]: { type: 'string', format: 'int-or-string', description: 'A port number or a port name.' },
  };
  for (const t of picked) out[schemaName(t)] = { ...publish(t.schema, version), 'x-kubernetes-group-version-kind': [gvkOf(t)] };
  return out;
}

/** One OpenAPI v3 document per group-version. */
export function openApiDocument(types: readonly ResourceType[], groupVersion: string): Record<string, unknown> | undefined {
  const picked = types.filter((t) => apiVersionOf(t) === groupVersion);
  if (picked.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'skyfed', version: groupVersion },
    paths: Object.assign({}, ...picked.map((t) => paths(t, 'v3'))) as Record<string, unknown>,
    components: { schemas: definitions(picked, 'v3') },
  };
}

export function openApiIndex(types: readonly ResourceType[]): Record<string, unknown> {
  const gvs = [...new Set(types.map(apiVersionOf))];
  return {
    paths: Object.fromEntries(
      gvs.map((gv) => {
        const key = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
        const hash = createHash('sha256')
          .update(JSON.stringify(openApiDocument(types, gv)))
          .digest('hex')
          .slice(0, 32)
          .toUpperCase();
        return [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` }];
      }),
    ),
  };
}

/** The one Swagger 2.0 document of every kind (`/openapi/v2`). */
export function openApiV2(types: readonly ResourceType[], version: string): Record<string, unknown> {
  return {
    swagger: '2.0',
    info: { title: 'skyfed', version },
    paths: Object.assign({}, ...types.map((t) => paths(t, 'v2'))) as Record<string, unknown>,
    definitions: definitions(types, 'v2'),
  };
}
