/**
 * The OpenAPI documents kubectl reads: every field has one explainable type and a description, the
 * v2 document survives the gnostic protobuf encoding kubectl 1.27/1.28 ask for, and the PATCH
 * operations advertise fieldValidation (kubectl's check before it sends Strict).
 */
import { openApiDocument, openApiV2 } from '../../../shared/api/openapi';
import { RESOURCE_TYPES } from '../../../shared/api/resources';
import { decodeOpenApiV2, encodeOpenApiV2 } from '../../../shared/api/protobuf/openapi-v2';

type Json = Record<string, unknown>;

function walk(s: Json, path: string, visit: (s: Json, path: string) => void): void {
  visit(s, path);
  for (const [k, v] of Object.entries((s['properties'] ?? {}) as Record<string, Json>)) walk(v, `${path}.${k}`, visit);
  if (s['items']) walk(s['items'] as Json, `${path}[]`, visit);
}

test.each(['v1', 'federation/v1beta1'])('OpenAPI v3 of %s: one string type per field and a description on every field', (gv) => {
  const doc = openApiDocument(RESOURCE_TYPES, gv) as { components: { schemas: Record<string, Json> } };
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    walk(schema, name, (s, path) => {
      if (s['type'] !== undefined && typeof s['type'] !== 'string') problems.push(`${path}: type ${JSON.stringify(s['type'])}`);
      if (s['anyOf']) problems.push(`${path}: anyOf`);
      if (path !== name && !path.endsWith('[]') && !s['description']) problems.push(`${path}: no description`);
    });
  }
  expect(problems).toEqual([]);
  const meta = doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] as { properties: Record<string, Json> };
  expect(meta.properties['creationTimestamp']).toMatchObject({ type: 'string', format: 'date-time' });
});

test("Cluster fields are described in skyfed's words", () => {
  const doc = openApiDocument(RESOURCE_TYPES, 'federation/v1beta1') as { components: { schemas: Record<string, { properties: Record<string, Json> }> } };
  const cluster = doc.components.schemas['io.skyfed.federation.v1beta1.Cluster'] as {
    description: string;
    properties: Record<string, { properties: Record<string, Json> }>;
  };
  expect(cluster.description).toMatch(/member cluster/);
  expect(cluster.properties['spec']?.properties['secretRef']?.['description']).toMatch(/federation-system/);
  expect(cluster.properties['status']?.properties['version']?.['description']).toMatch(/\/version/);
});

test('OpenAPI v2 round-trips through gnostic protobuf with GVKs, descriptions and fieldValidation', () => {
  const json = openApiV2(RESOURCE_TYPES, 'v1.30.0-skyfed');
  const decoded = decodeOpenApiV2(encodeOpenApiV2(json)) as {
    swagger: string;
    definitions: { additional_properties: { name: string; value: { description?: string; vendor_extension?: { name: string; value: { yaml: string } }[] } }[] };
    paths: {
      path: {
        name: string;
        value: {
          patch?: {
            parameters: { parameter: { non_body_parameter?: { query_parameter_sub_schema?: { name: string } } } }[];
            vendor_extension: { name: string; value: { yaml: string } }[];
          };
        };
      }[];
    };
  };
  expect(decoded.swagger).toBe('2.0');
  const service = decoded.definitions.additional_properties.find((d) => d.name.endsWith('.v1.Service'));
  expect(service?.value.description).toMatch(/federated Service/);
  expect(service?.value.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind')?.value.yaml).toMatch(/kind: Service/);
  const patch = decoded.paths.path.find((p) => p.name === '/apis/federation/v1beta1/clusters/{name}')?.value.patch;
  expect(patch?.vendor_extension.find((e) => e.name === 'x-kubernetes-group-version-kind')?.value.yaml).toMatch(/group: federation/);
  expect(patch?.parameters.map((p) => p.parameter.non_body_parameter?.query_parameter_sub_schema?.name)).toContain('fieldValidation');
});
