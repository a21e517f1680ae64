/**
 * The DNS names of a federated Service (v1's code, region label included):
 *   global   <svc>.<ns>.<fed>.svc.<suffix>.
 *   regional <svc>.<ns>.<fed>.svc.<region>.<suffix>.
 *   zonal    <svc>.<ns>.<fed>.svc.<zone>.<region>.<suffix>.
 * Every name is lower case and absolute (trailing dot). Every label must be an RFC 1123 label
 * (letters, digits, '-', not at either end, ≤ 63 characters) and the name ≤ 253 characters
 * without its trailing dot (255 octets on the wire). Violations throw a DnsNameError.
 */
import { DnsNameErrorReason, SkyfedError } from '../errors';

export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 253;

export type { DnsNameErrorReason };

export class DnsNameError extends SkyfedError<DnsNameErrorReason> {
  override readonly name = 'DnsNameError';
  constructor(
    reason: DnsNameErrorReason,
    /** The offending label or name. */
    readonly value: string,
    message: string,
  ) {
    super(reason, message);
  }
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Labels already found valid (bounded; cleared when full): a sweep names the same few thousand over and over. */
const validLabels = new Map<string, string>();
const VALID_MAX = 100_000;

/** Lower-cases and validates one label; `what` names it in the error ("region", "federation name"). */
export function dnsLabel(value: string, what = 'label'): string {
  const known = validLabels.get(value);
  if (known !== undefined) return known;
  const v = checkLabel(value, what);
  if (validLabels.size >= VALID_MAX) validLabels.clear();
  validLabels.set(value, v);
  return v;
}

function checkLabel(value: string, what: string): string {
  const v = value.trim().toLowerCase();
  if (v === '') throw new DnsNameError('Empty', value, `${what} is empty`);
  if (v.length > MAX_LABEL_LENGTH) {
    throw new DnsNameError('LabelTooLong', value, `${what} ${JSON.stringify(value)} is ${v.length} characters; a DNS label is at most ${MAX_LABEL_LENGTH}`);
  }
  if (!RFC1123_LABEL.test(v)) {
    throw new DnsNameError(
      'InvalidLabel',
      value,
      `${what} ${JSON.stringify(value)} is not an RFC 1123 label (letters, digits and '-', starting and ending with a letter or digit)`,
    );
  }
  return v;
}

/** Joins labels into an absolute name and enforces the 253-character limit. */
function absolute(labels: readonly string[]): string {
  const relative = labels.join('.');
  if (relative.length > MAX_NAME_LENGTH) {
    throw new DnsNameError('NameTooLong', `${relative}.`, `${relative}. is ${relative.length} characters; a DNS name is at most ${MAX_NAME_LENGTH}`);
  }
  return `${relative}.`;
}

/** Validates a federation name (one RFC 1123 label) and returns it lower-cased. */
export function federationLabel(name: string): string {
  return dnsLabel(name, 'federation name');
}

/**
 * Validates a DNS suffix (an RFC 1123 subdomain, with or without trailing dot) and returns it
 * lower-cased, without the trailing dot.
 */
export function dnsSuffix(suffix: string): string {
  const s = suffix.trim().toLowerCase().replace(/\.$/, '');
  if (s === '') throw new DnsNameError('Empty', suffix, 'DNS suffix is empty');
  const labels = s.split('.').map((l) => dnsLabel(l, `label of DNS suffix ${JSON.stringify(suffix)}:`));
  return absolute(labels).slice(0, -1);
}

/** Makes any name absolute and lower case, for comparisons; does not validate. */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** What identifies one federated Service's names. */
export interface ServiceDnsScope {
  readonly federation: string;
  readonly suffix: string;
  readonly namespace: string;
  readonly service: string;
}

function serviceLabels(s: ServiceDnsScope): string[] {
  return [dnsLabel(s.service, 'service name'), dnsLabel(s.namespace, 'namespace'), federationLabel(s.federation), 'svc'];
}

function suffixLabels(s: ServiceDnsScope): string[] {
  return dnsSuffix(s.suffix).split('.');
}

export function globalName(s: ServiceDnsScope): string {
  return absolute([...serviceLabels(s), ...suffixLabels(s)]);
}

export function regionalName(s: ServiceDnsScope, region: string): string {
  return absolute([...serviceLabels(s), dnsLabel(region, 'region'), ...suffixLabels(s)]);
}

/** Zonal name; note the argument order (region, zone) while the name reads zone.region. */
export function zonalName(s: ServiceDnsScope, region: string, zone: string): string {
  return absolute([...serviceLabels(s), dnsLabel(zone, 'zone'), dnsLabel(region, 'region'), ...suffixLabels(s)]);
}
