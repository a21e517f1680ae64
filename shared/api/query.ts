/**
 * Query parameters read as kube-apiserver reads them (k8s.io/apimachinery `runtime` conversions of
 * url.Values): the first value of a repeated parameter wins; a boolean is false only for "0" or
 * "false" in any letter case, and true for anything else, so `?watch=True` (Python's client),
 * `?watch=1` and a bare `?watch` all watch; an integer must parse as a base-10 int64, else 400.
 */
import type { Request } from 'express';
import { errors } from '../k8s/status';

export function queryString(req: Request, name: string): string | undefined {
  const v: unknown = req.query[name];
  if (v === undefined) return undefined;
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string') throw errors.badRequest(`query parameter ${name} must be a string`);
  return first;
}

export function parseQueryBool(value: string): boolean {
  return !(value === '0' || value.toLowerCase() === 'false');
}

export function queryBool(req: Request, name: string): boolean | undefined {
  const v = queryString(req, name);
  return v === undefined ? undefined : parseQueryBool(v);
}

export function parseQueryInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: ${/^[+-]?\d+$/.test(value) ? 'value out of range' : 'invalid syntax'}`);
  }
  return Number(value);
}

export function queryInt(req: Request, name: string): number | undefined {
  const v = queryString(req, name);
  return v === undefined ? undefined : parseQueryInt(v);
}
