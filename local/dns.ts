/**
 * The local DNS provider's serving side: follows the zone's record sets in Firestore (a snapshot
 * listener, so answers change the moment a sweep writes) and serves them with the embedded
 * authoritative server over UDP and TCP. It stands where Cloud DNS's name servers stand.
 */
import { Firestore } from '@google-cloud/firestore';
import { zoneCollection } from '../shared/dns/providers/local';
import { RecordSet } from '../shared/dns/types';
import { StaticRecordSource, startDnsServer } from '../shared/nameserver';

export interface LocalDns {
  readonly port: number;
  close(): Promise<void>;
}

export async function startLocalDns(db: Firestore, zone: string, port: number, host = '127.0.0.1'): Promise<LocalDns> {
  const source = new StaticRecordSource([]);
  const unsubscribe = db.collection(zoneCollection(zone)).onSnapshot(
    (snap) => source.replace(snap.docs.map((d) => d.data() as RecordSet)),
    () => undefined,
  );
  const server = await startDnsServer({ host, port, zones: [{ origin: zone, source }] });
  return {
    port: server.udpPort,
    close: async () => {
      unsubscribe();
      await server.close();
    },
  };
}
