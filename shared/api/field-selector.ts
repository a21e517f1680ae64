/**
 * Field selectors (`?fieldSelector=a=b,c!=d`) as kube-apiserver reads them: terms joined by ',',
 * operators `=`, `==` and `!=`, values with `\,` `\=` `\\` escapes, and only the fields a kind
 * declares selectable (`metadata.name` and `metadata.namespace` for every kind); any other field
 * is a 400 "field label not supported". A missing field reads as "".
 */
import { errors } from '../k8s/status';
import { KubeObject } from '../model/meta';

export interface FieldTerm {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export type FieldSelector = readonly FieldTerm[];

/** A kind's selectable fields beyond metadata.name/namespace, and how to read them from an object. */
export interface SelectableFields {
  readonly names: readonly string[];
  readonly values: (obj: KubeObject) => Readonly<Record<string, string | undefined>>;
}

const BASE = ['metadata.name', 'metadata.namespace'];

/** Splits on unescaped `sep`. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(v: string): string {
  return v.replace(/\\([\\,=])/g, '$1');
}

export function parseFieldSelector(raw: string | undefined, fields?: SelectableFields): FieldSelector {
  const allowed = new Set([...BASE, ...(fields?.names ?? [])]);
  const terms: FieldTerm[] = [];
  for (const part of splitUnescaped(raw ?? '', ',')
    .map((t) => t.trim())
    .filter(Boolean)) {
    const m = /^([^=!\s]+)\s*(==|!=|=)(.*)$/.exec(part);
    if (!m) throw errors.badRequest(`invalid selector: '${raw ?? ''}'; can't understand '${part}'`);
    const field = m[1] as string;
    if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    const value = m[3] as string;
    if (/(^|[^\\])=/.test(value.replace(/\\\\/g, ''))) throw errors.badRequest(`invalid selector: '${raw ?? ''}'; can't understand '${part}'`);
    terms.push({ field, op: m[2] === '!=' ? '!=' : '=', value: unescape(value) });
  }
  return terms;
}

export function matchesFields(sel: FieldSelector, obj: KubeObject, fields?: SelectableFields): boolean {
  if (sel.length === 0) return true;
  const extra = fields?.values(obj) ?? {};
  const valueOf = (f: string): string => {
    if (f === 'metadata.name') return obj.metadata.name ?? '';
    if (f === 'metadata.namespace') return obj.metadata.namespace ?? '';
    return extra[f] ?? '';
  };
  return sel.every((t) => (valueOf(t.field) === t.value) === (t.op === '='));
}
