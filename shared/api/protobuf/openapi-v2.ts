/**
 * `/openapi/v2` in protobuf: kubectl 1.27/1.28 (client-go's discovery `OpenAPISchema`) ask only for
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and parse the answer as gnostic's
 * `openapi.v2.Document` (google/gnostic-models `openapiv2/OpenAPIv2.proto`; the subset below keeps
 * the published field numbers). Vendor extensions travel as YAML text, as gnostic encodes them.
 */
import * as protobuf from 'protobufjs';
import { stringify as toYaml } from 'yaml';

/** What clients ask for in Accept (either spelling) … */
export const OPENAPI_V2_PROTOBUF_ACCEPT = /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/i;
/** … and the Content-Type answered: without the '@', which Go's mime parser (client-go) rejects. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const GNOSTIC_PROTO = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; string description = 3; }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message Schema {
  string _ref = 1; string format = 2; string title = 3; string description = 4;
  bool unique_items = 16; repeated string required = 19; AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22; ItemsItem items = 23; repeated Schema all_of = 24; Properties properties = 25;
  repeated NamedAny vendor_extension = 31;
}
message Definitions { repeated NamedSchema additional_properties = 1; }
message BodyParameter { string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; bool unique_items = 20; }
message PathParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5; bool unique_items = 19; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; } }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Response { string description = 1; SchemaItem schema = 2; }
message ResponseValue { oneof oneof { Response response = 1; } }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message Responses { repeated NamedResponseValue response_code = 1; }
message Operation {
  repeated string tags = 1; string description = 3; string operation_id = 5; repeated string produces = 6; repeated string consumes = 7;
  repeated ParametersItem parameters = 8; Responses responses = 9; repeated NamedAny vendor_extension = 13;
}
message PathItem {
  Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5; Operation patch = 8;
  repeated ParametersItem parameters = 9;
}
message NamedPathItem { string name = 1; PathItem value = 2; }
message Paths { repeated NamedPathItem path = 2; }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }
`;

type Json = Record<string, unknown>;
let documentType: protobuf.Type | undefined;

function docType(): protobuf.Type {
  if (!documentType) {
    const root = protobuf.parse(GNOSTIC_PROTO, { keepCase: true }).root;
    root.resolveAll();
    documentType = root.lookupType('openapi.v2.Document');
  }
  return documentType;
}

function extensions(o: Json): Json[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: { yaml: toYaml(v) } }));
}

function named<T>(o: unknown, f: (v: T) => Json): Json[] {
  return Object.entries((o ?? {}) as Record<string, T>).map(([name, v]) => ({ name, value: f(v) }));
}

function schema(s: Json): Json {
  const add = s['additionalProperties'];
  return {
    ...(s['$ref'] !== undefined ? { _ref: s['$ref'] } : {}),
    ...(s['format'] !== undefined ? { format: s['format'] } : {}),
    ...(s['description'] !== undefined ? { description: s['description'] } : {}),
    ...(s['uniqueItems'] === true ? { unique_items: true } : {}),
    ...(Array.isArray(s['required']) ? { required: s['required'] } : {}),
    ...(typeof s['type'] === 'string' ? { type: { value: [s['type']] } } : {}),
    ...(s['items'] ? { items: { schema: [schema(s['items'] as Json)] } } : {}),
    ...(Array.isArray(s['allOf']) ? { all_of: (s['allOf'] as Json[]).map(schema) } : {}),
    ...(s['properties'] ? { properties: { additional_properties: named(s['properties'], schema) } } : {}),
    ...(typeof add === 'object' && add !== null ? { additional_properties: { schema: schema(add as Json) } } : {}),
    ...(typeof add === 'boolean' ? { additional_properties: { boolean: add } } : {}),
    vendor_extension: extensions(s),
  };
}

function parameter(p: Json): Json {
  if (p['in'] === 'body')
    return { parameter: { body_parameter: { name: p['name'], in: 'body', required: p['required'] === true, schema: schema(p['schema'] as Json) } } };
  const sub = { name: p['name'], in: p['in'], type: p['type'], required: p['required'] === true, unique_items: p['uniqueItems'] === true };
  return { parameter: { non_body_parameter: p['in'] === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function operation(op: Json): Json {
  return {
    operation_id: op['operationId'],
    parameters: ((op['parameters'] ?? []) as Json[]).map(parameter),
    responses: {
      response_code: named<Json>(op['responses'], (r) => ({
        response: { description: r['description'] ?? '', ...(r['schema'] ? { schema: { schema: schema(r['schema'] as Json) } } : {}) },
      })),
    },
    vendor_extension: extensions(op),
  };
}

function pathItem(item: Json): Json {
  const out: Json = { parameters: ((item['parameters'] ?? []) as Json[]).map(parameter) };
  for (const verb of ['get', 'put', 'post', 'delete', 'patch']) if (item[verb]) out[verb] = operation(item[verb] as Json);
  return out;
}

/** The Swagger 2.0 JSON document (openapi.ts) as gnostic protobuf bytes. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = (doc['info'] ?? {}) as Json;
  const t = docType();
  const message = t.fromObject({
    swagger: doc['swagger'],
    info: { title: info['title'] ?? '', version: info['version'] ?? '' },
    paths: { path: named(doc['paths'], pathItem) },
    definitions: { additional_properties: named(doc['definitions'], schema) },
  });
  return Buffer.from(t.encode(message).finish());
}

/** Decodes gnostic bytes back to plain objects (for tests and tools). */
export function decodeOpenApiV2(bytes: Uint8Array): Json {
  const t = docType();
  return t.toObject(t.decode(bytes), { defaults: false, arrays: true }) as Json;
}
