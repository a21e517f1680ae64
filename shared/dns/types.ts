/**
 * The one record type that crosses every DNS layer: planners, ledger, providers, the embedded server.
 * Shaped like a Cloud DNS ResourceRecordSet: names are absolute (trailing dot), lower case.
 */
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'NS' | 'SOA';

export interface RecordSet {
  /** Absolute, lower-case name with trailing dot, e.g. `nginx.mynamespace.myfed.svc.example.com.` */
  readonly name: string;
  readonly type: RecordType;
  /** Seconds. */
  readonly ttl: number;
  /** Record data in zone-file presentation form; A/AAAA sorted; CNAME target absolute with trailing dot. */
  readonly rrdatas: readonly string[];
}

/** Identity of a record set inside one zone. */
export function recordKey(r: Pick<RecordSet, 'name' | 'type'>): string {
  return `${r.name} ${r.type}`;
}
