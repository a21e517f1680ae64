export { StaticRecordSource, startDnsServer } from './server';
export type { DnsServer, DnsServerOptions } from './server';
export { respond } from './answer';
export type { Zone } from './answer';
