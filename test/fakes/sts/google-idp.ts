/**
 * The Google side of keyless AWS access, on loopback: an identity provider with its own RSA key that
 * publishes its JWKS (as Google does at /oauth2/v3/certs) and a GCE metadata server that hands the
 * running service account an ID token for a requested audience (as Cloud Run / Cloud Functions do at
 * /computeMetadata/v1/instance/service-accounts/default/identity, `Metadata-Flavor: Google` required).
 * Tokens carry Google's claims for a service account: iss, aud (the requested audience), azp and sub
 * (the account's numeric unique id), email, iat, exp.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { KeyObject, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface ServiceAccountIdentity {
  readonly uniqueId: string;
  readonly email: string;
}

export class FakeGoogleIdp {
  readonly issuer = 'https://accounts.google.com';
  readonly kid = randomBytes(8).toString('hex');
  /** Identity requests served by the metadata endpoint, by audience. */
  readonly issued: string[] = [];
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  private constructor(
    private readonly server: Server,
    private readonly account: ServiceAccountIdentity,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  static async start(account: ServiceAccountIdentity): Promise<FakeGoogleIdp> {
    let idp: FakeGoogleIdp | undefined = undefined;
    const server = createServer((req, res) => idp?.handle(req, res));
    idp = new FakeGoogleIdp(server, account);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return idp;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** Where relying parties fetch the signing keys. */
  get jwksUri(): string {
    return `${this.url}/oauth2/v3/certs`;
  }
  /** host:port for GCE_METADATA_HOST. */
  get metadataHost(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  /** An RS256 JWT signed by this IdP; claims default to the service account's token for `audience`. */
  sign(audience: string, override: Record<string, unknown> = {}, key: KeyObject = this.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      aud: audience,
      azp: this.account.uniqueId,
      sub: this.account.uniqueId,
      email: this.account.email,
      email_verified: true,
      iat: now,
      exp: now + 3600,
      ...override,
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid, typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
    return `${head}.${body}.${b64url(sig)}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/oauth2/v3/certs') {
      const jwk = this.publicKey.export({ format: 'jwk' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] }));
      return;
    }
    if (url.pathname.startsWith('/computeMetadata/v1/')) {
      res.setHeader('metadata-flavor', 'Google');
      if (req.headers['metadata-flavor'] !== 'Google') {
        res.writeHead(403).end('Missing required header "Metadata-Flavor"');
        return;
      }
      const m = /^\/computeMetadata\/v1\/instance\/service-accounts\/([^/]+)\/identity$/.exec(url.pathname);
      const audience = url.searchParams.get('audience');
      if (m && (m[1] === 'default' || m[1] === this.account.email)) {
        if (!audience) {
          res.writeHead(400).end('non-empty audience parameter required');
          return;
        }
        this.issued.push(audience);
        res.writeHead(200, { 'content-type': 'application/text' }).end(this.sign(audience));
        return;
      }
      if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/email') {
        res.writeHead(200, { 'content-type': 'application/text' }).end(this.account.email);
        return;
      }
      if (url.pathname === '/computeMetadata/v1/instance' || url.pathname === '/computeMetadata/v1/') {
        res.writeHead(200, { 'content-type': 'application/text' }).end('');
        return;
      }
    }
    res.writeHead(404).end('Not Found');
  }
}
