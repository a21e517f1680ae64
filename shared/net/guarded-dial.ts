/**
 * Dialling through the address guard: a host name is resolved once, every address it resolved to
 * is judged, and the connection goes to the address that was judged — so a name that re-resolves
 * to the metadata server between the check and the connect (DNS rebinding) cannot slip through.
 * TLS keeps verifying the certificate against the original host name.
 */
import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import { Agent, AgentOptions } from 'node:https';
import { RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, ConnectionOptions } from 'node:tls';
import { AddressGuard } from './address-guard';
import { InputErrorReason, SkyfedError } from '../errors';

export type Lookup = (host: string) => Promise<LookupAddress[]>;

export const systemLookup: Lookup = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** The dial was refused by the guard: nothing was sent. The message names the rule, not the target. */
export class DialRefusedError extends SkyfedError<InputErrorReason> {
  override readonly name = 'DialRefusedError';
  readonly code = DIAL_REFUSED;
  constructor(message: string) {
    super('DialRefused', message);
  }
}

/** The error code a refused dial carries through HTTP clients that wrap errors (node-fetch copies `code`). */
export const DIAL_REFUSED = 'EDIALREFUSED';

/** Resolves `host` and returns the first address the guard allows; refuses when any resolved address is refused. */
export async function resolveGuarded(host: string, guard: AddressGuard, lookup: Lookup = systemLookup): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(bare) ? [bare] : (await lookup(bare)).map((a) => a.address);
  if (addresses.length === 0) throw new DialRefusedError('the host name resolved to no address');
  for (const a of addresses) {
    const why = guard.refusal(a);
    // A name that resolves to any forbidden address is refused whole: round-robin answers are a rebinding trick.
    if (why) throw new DialRefusedError(`address not allowed (${why})`);
  }
  return addresses[0] as string;
}

/** An https.Agent whose every connection passes the guard (keep-alive, pooled). */
export class GuardedHttpsAgent extends Agent {
  /** Why the last refused dial was refused (HTTP clients wrap the error and lose its class). */
  lastRefusal: string | undefined;

  constructor(
    options: AgentOptions,
    private readonly guard: AddressGuard,
    private readonly lookup: Lookup = systemLookup,
  ) {
    super(options);
  }

  override createConnection(opts: RequestOptions, cb?: (err: Error | null, stream: Duplex) => void): undefined {
    const options = opts as ConnectionOptions & { host?: string; servername?: string };
    const callback = cb ?? ((): void => undefined);
    const host = options.host ?? 'localhost';
    resolveGuarded(host, this.guard, this.lookup).then(
      (address) => {
        const servername = options.servername ?? (isIP(host.replace(/^\[(.*)\]$/, '$1')) ? undefined : host);
        const socket = tlsConnect({ ...options, host: address, ...(servername ? { servername } : {}) });
        callback(null, socket as Duplex);
      },
      (e: Error) => {
        if (e instanceof DialRefusedError) this.lastRefusal = e.message;
        callback(e, undefined as unknown as Duplex);
      },
    );
    return undefined;
  }
}
