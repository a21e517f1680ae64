/**
 * Structural decoding of request bodies against the kinds' schemas, with Kubernetes'
 * `fieldValidation` modes: Strict rejects unknown or duplicate fields, Warn drops them and warns,
 * Ignore drops them silently. Wrong types are always a 400, as in kube-apiserver.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { errors } from '../k8s/status';
import { Schema } from './schema';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<Schema, ValidateFunction>();

function validatorFor(schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** `/spec/ports/0` → `spec.ports[0]` */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .reduce((acc, seg) => {
      const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      if (/^[0-9]+$/.test(s)) return `${acc}[${s}]`;
      return acc ? `${acc}.${s}` : s;
    }, '');
}

function removeAt(root: unknown, instancePath: string, key: string): void {
  let node: unknown = root;
  for (const seg of instancePath.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown>)[s];
  }
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[key];
}

export interface Decoded<T> {
  readonly object: T;
  readonly warnings: readonly string[];
}

/**
 * Checks `body` (already parsed from JSON/YAML) against `schema`. Mutates nothing given; returns a
 * pruned deep copy. `what` names the kind for messages, e.g. `Service in version "v1"`.
 */
export function decodeStructured<T>(body: unknown, schema: Schema, mode: FieldValidation, what: string): Decoded<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`${what} cannot be handled: the body must be a JSON or YAML object`);
  }
  const copy = dropNulls(structuredClone(body)) as Record<string, unknown>;
  const validate = validatorFor(schema);
  if (validate(copy)) return { object: copy as T, warnings: [] };
  const all: ErrorObject[] = validate.errors ?? [];
  const unknown = all.filter((e) => e.keyword === 'additionalProperties');
  const typeErrors = all.filter((e) => e.keyword === 'type' && !all.some((o) => o.keyword === 'anyOf' && o.instancePath === e.instancePath));
  const anyOf = all.filter((e) => e.keyword === 'anyOf');
  const structural = [...typeErrors, ...anyOf];
  if (structural.length > 0) {
    const first = structural[0] as ErrorObject;
    const expected = first.keyword === 'anyOf' ? 'an integer or a string' : `type ${String(first.params['type'])}`;
    throw errors.badRequest(
      `${what} cannot be handled: json: cannot unmarshal ${describe(valueAt(copy, first.instancePath))} into field "${fieldPath(first.instancePath)}" of ${expected}`,
    );
  }
  const names = unknown.map((e) => {
    const key = String(e.params['additionalProperty']);
    const parent = fieldPath(e.instancePath);
    return { parent: e.instancePath, key, full: parent ? `${parent}.${key}` : key };
  });
  if (mode === 'Strict' && names.length > 0) {
    throw errors.badRequest(`${what} cannot be handled: strict decoding error: ${names.map((n) => `unknown field "${n.full}"`).join(', ')}`);
  }
  for (const n of names) removeAt(copy, n.parent, n.key);
  return { object: copy as T, warnings: mode === 'Warn' ? names.map((n) => `unknown field "${n.full}"`) : [] };
}

/** `null` means "not set" to kube-apiserver's Go types (e.g. `creationTimestamp: null` from `kubectl create --dry-run=client -o yaml`). */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (o[k] === null) delete o[k];
    else o[k] = dropNulls(o[k]);
  }
  return o;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node = root;
  for (const seg of instancePath.split('/').slice(1)) node = (node as Record<string, unknown>)?.[seg];
  return node;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  // Never the value itself: a body may carry Secret data (Go's decoder names only the type, too).
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Parses the fieldValidation query parameter (default Strict for kubectl ≥1.27-style clients: we default to Warn like the apiserver). */
export function parseFieldValidation(raw: unknown): FieldValidation {
  if (raw === undefined || raw === '') return 'Warn';
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') return raw;
  throw errors.badRequest(`fieldValidation must be one of "Strict", "Warn", "Ignore" (got ${JSON.stringify(raw)})`);
}
