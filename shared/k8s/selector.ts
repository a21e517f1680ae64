/**
 * Label selectors in Kubernetes' string syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, joined by commas. `parseSelector` throws ApiError 400 on bad syntax.
 */
import { errors } from './status';
import { labelValue, qualifiedName } from './validation';

/** Gt and Lt compare a label's value as a number (labels.Selector's gt/lt; the cluster selector uses them). */
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}
export type Selector = readonly Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((t) => t.trim());
}

function checkKey(key: string, raw: string): string {
  if (qualifiedName(key).length > 0) throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${raw}"`);
  return key;
}

function checkValues(values: string[], raw: string): string[] {
  for (const v of values) {
    if (labelValue(v).length > 0) throw errors.badRequest(`unable to parse requirement: invalid label value "${v}" in selector "${raw}"`);
  }
  return values;
}

function parseTerm(term: string, raw: string): Requirement {
  let m = /^!\s*([^\s=!(),]+)$/.exec(term);
  if (m) return { key: checkKey(m[1] ?? '', raw), operator: 'DoesNotExist', values: [] };
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m) {
    const values = checkValues([m[3] ?? ''], raw);
    return { key: checkKey(m[1] ?? '', raw), operator: m[2] === '!=' ? 'NotIn' : 'In', values };
  }
  m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m) {
    const values = checkValues(
      (m[3] ?? '').split(',').map((v) => v.trim()),
      raw,
    );
    return { key: checkKey(m[1] ?? '', raw), operator: m[2] === 'in' ? 'In' : 'NotIn', values };
  }
  m = /^([^\s=!(),]+)$/.exec(term);
  if (m) return { key: checkKey(m[1] ?? '', raw), operator: 'Exists', values: [] };
  throw errors.badRequest(`unable to parse requirement: found '${term}', expected: a valid label selector term in "${raw}"`);
}

export function parseSelector(raw: string | undefined): Selector {
  if (raw === undefined || raw.trim() === '') return [];
  return splitTerms(raw).map((t) => parseTerm(t, raw));
}

export function matches(selector: Selector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(l[r.key] ?? '');
      case 'NotIn':
        return !has || !r.values.includes(l[r.key] ?? '');
      case 'Gt':
        return has && Number(l[r.key]) > Number(r.values[0]);
      case 'Lt':
        return has && Number(l[r.key]) < Number(r.values[0]);
    }
  });
}
