/**
 * Field validators that match Kubernetes' apimachinery rules (validation.go): each returns a list of
 * messages, empty when valid. `FieldErrors` collects them into Status causes with field paths.
 */
import { AddressGuard, addressGuard, hostRefusal, isIPv4Literal, isIPv6Literal } from '../net/address-guard';
import { StatusCause } from './status';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function dns1123Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(v)) {
    out.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  return out;
}

export function dns1035Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(v)) {
    out.push(
      `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  return out;
}

export function dns1123Subdomain(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (v.length === 0 || !v.split('.').every((l) => DNS1123_LABEL.test(l))) {
    out.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  }
  return out;
}

/** Label/annotation keys: optional DNS subdomain prefix + '/' + qualified name (≤ 63). */
export function qualifiedName(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const out: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [
      `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'`,
    ];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name)) {
    out.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
  return out;
}

export function labelValue(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) {
    out.push(
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
  return out;
}

/** A Service port's own name: kube-apiserver only asks for a DNS-1123 label (e.g. kubectl's "80-80"). */
export function servicePortName(v: string): string[] {
  return dns1123Label(v);
}

/** IANA service name (container port names, a Service's named targetPort): ≤ 15 chars, at least one letter, no double hyphens. */
export function portName(v: string): string[] {
  if (v.length > 15) return ['must be no more than 15 characters'];
  if (!IANA_SVC_NAME.test(v)) return ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'];
  if (v.includes('--')) return ['must not contain consecutive hyphens'];
  if (!/[a-z]/.test(v)) return ['must contain at least one letter (a-z)'];
  return [];
}

export function portNumber(v: number): string[] {
  return Number.isInteger(v) && v >= 1 && v <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

export function isIPv4(v: string): boolean {
  return isIPv4Literal(v);
}

export function isIPv6(v: string): boolean {
  return isIPv6Literal(v);
}

export function cidr(v: string): string[] {
  const [ip, bits, ...rest] = v.split('/');
  const msg = `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`;
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return [msg];
  const n = Number(bits);
  if (isIPv4(ip)) return n <= 32 ? [] : [msg];
  if (isIPv6(ip)) return n <= 128 ? [] : [msg];
  return [msg];
}

/** A cluster API server address: https URL (http only for loopback test doubles), host required, no credentials. */
export function serverAddress(v: string, allowInsecureLoopback: boolean, guard: AddressGuard = addressGuard()): string[] {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return ['must be a valid URL, e.g. https://203.0.113.10:6443'];
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && allowInsecureLoopback)) {
    return ['must use the https scheme'];
  }
  if (url.username || url.password) return ['must not contain credentials; use spec.secretRef'];
  if (url.search || url.hash) return ['must not contain a query or fragment'];
  // Every spelling of an address (0x7f000001, 127.1, [::ffff:7f00:1]) is judged as the URL parser
  // canonicalises it, by the same guard that checks every dial.
  const refused = hostRefusal(url.hostname, guard);
  if (refused) return [`must not point at a ${refused} (allow a range with SKYFED_DIAL_ALLOW_CIDRS)`];
  return [];
}

/** Collects field errors with Kubernetes-style paths, e.g. `spec.ports[0].port`. */
export class FieldErrors {
  readonly causes: StatusCause[] = [];

  check(field: string, value: unknown, messages: readonly string[], reason = 'FieldValueInvalid'): void {
    for (const m of messages) this.causes.push({ reason, field, message: `Invalid value: ${JSON.stringify(value)}: ${m}` });
  }
  required(field: string): void {
    this.causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  }
  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    this.causes.push({
      reason: 'FieldValueNotSupported',
      field,
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
    });
  }
  duplicate(field: string, value: unknown): void {
    this.causes.push({ reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${JSON.stringify(value)}` });
  }
  forbidden(field: string, message: string): void {
    this.causes.push({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` });
  }
  get empty(): boolean {
    return this.causes.length === 0;
  }
}

/** An HTTP probe path in origin form: starts with '/', printable ASCII without spaces, at most 1,024 characters. */
export function isProbePath(p: string): boolean {
  return p.length <= 1024 && /^\/[\x21-\x7e]*$/.test(p);
}
