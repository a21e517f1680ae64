/**
 * A wire-level AWS STS double (Query protocol, API 2011-06-15) for AssumeRoleWithWebIdentity with
 * Google ID tokens, checking what STS checks before it hands out credentials:
 * - the token is a JWT signed (RS256) by a key in the identity provider's JWKS, fetched over HTTP from
 *   the provider as STS fetches Google's published keys; its issuer is accounts.google.com; it has not
 *   expired (`ExpiredTokenException`); anything else wrong is `InvalidIdentityToken`;
 * - the role exists and its trust policy allows the token: for the built-in principal
 *   accounts.google.com, condition key `accounts.google.com:aud` is the token's azp claim when
 *   present (else aud), `:oaud` is aud and `:sub` is sub; a mismatch is `AccessDenied` (403);
 * - RoleSessionName and DurationSeconds within STS's limits (`ValidationError`).
 * Errors come back as STS sends them: `<ErrorResponse><Error><Type>Sender</Type><Code>…`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createPublicKey, createVerify, randomBytes } from 'node:crypto';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const GOOGLE = 'accounts.google.com';
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface TrustedRole {
  /** arn:aws:iam::ACCOUNT:role/NAME */
  readonly arn: string;
  /** StringEquals conditions of the trust policy, e.g. { 'accounts.google.com:aud': '1234…' }. */
  readonly conditions: Readonly<Record<string, string>>;
  readonly maxSessionSeconds?: number;
}

export interface IssuedCredentials {
  readonly roleArn: string;
  readonly subject: string;
  readonly accessKeyId: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

class StsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeSts {
  readonly issued: IssuedCredentials[] = [];
  readonly rejected: string[] = [];
  /** Lifetime of issued credentials; shorter than STS allows, so tests can see the SDK refresh them. */
  credentialSeconds: number | undefined;
  private constructor(
    private readonly server: Server,
    private readonly roles: Map<string, TrustedRole>,
    private readonly jwksUri: string,
  ) {}

  static async start(opts: { jwksUri: string; roles: readonly TrustedRole[] }): Promise<FakeSts> {
    let sts: FakeSts | undefined = undefined;
    const server = createServer((req, res) => {
      sts?.handle(req, res).catch(() => res.destroy());
    });
    sts = new FakeSts(server, new Map(opts.roles.map((r) => [r.arn, r])), opts.jwksUri);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return sts;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    try {
      if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        throw new StsFault(400, 'InvalidAction', 'expected a form POST');
      if (form.get('Version') !== '2011-06-15') throw new StsFault(400, 'InvalidAction', `unsupported version ${form.get('Version') ?? ''}`);
      if (form.get('Action') !== 'AssumeRoleWithWebIdentity') throw new StsFault(400, 'InvalidAction', `unsupported action ${form.get('Action') ?? ''}`);
      const body = await this.assume(form);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(body);
    } catch (e) {
      const f = e instanceof StsFault ? e : new StsFault(500, 'InternalFailure', (e as Error).message);
      this.rejected.push(f.code);
      res.writeHead(f.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="${NS}"><Error><Type>${f.status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${f.code}</Code><Message>${esc(f.message)}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`,
      );
    }
  }

  private async assume(form: URLSearchParams): Promise<string> {
    const roleArn = form.get('RoleArn') ?? '';
    const session = form.get('RoleSessionName') ?? '';
    const token = form.get('WebIdentityToken') ?? '';
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw new StsFault(400, 'ValidationError', 'RoleArn must be an IAM role ARN');
    if (!/^[\w+=,.@-]{2,64}$/.test(session)) throw new StsFault(400, 'ValidationError', 'RoleSessionName must be 2-64 characters of [\\w+=,.@-]');
    const claims = await this.verify(token);
    const role = this.roles.get(roleArn);
    const want = role?.conditions ?? {};
    const keys: Record<string, unknown> = {
      [`${GOOGLE}:aud`]: claims['azp'] ?? claims['aud'],
      [`${GOOGLE}:oaud`]: claims['aud'],
      [`${GOOGLE}:sub`]: claims['sub'],
    };
    if (!role || Object.keys(want).length === 0 || !Object.entries(want).every(([k, v]) => keys[k] === v)) {
      throw new StsFault(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    const max = role.maxSessionSeconds ?? 3600;
    const duration = form.get('DurationSeconds') ? Number(form.get('DurationSeconds')) : 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > max)
      throw new StsFault(400, 'ValidationError', `DurationSeconds must be between 900 and the role's maximum session duration (${max})`);
    const lifetime = this.credentialSeconds ?? duration;
    const issued: IssuedCredentials = {
      roleArn,
      subject: String(claims['sub']),
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      sessionToken: randomBytes(24).toString('base64'),
      expiration: new Date(Date.now() + lifetime * 1000),
    };
    this.issued.push(issued);
    const [, account, name] = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) as RegExpExecArray;
    return (
      `<AssumeRoleWithWebIdentityResponse xmlns="${NS}"><AssumeRoleWithWebIdentityResult>` +
      `<SubjectFromWebIdentityToken>${esc(issued.subject)}</SubjectFromWebIdentityToken><Audience>${esc(String(keys[`${GOOGLE}:aud`]))}</Audience>` +
      `<AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/${name}/${session}</Arn><AssumedRoleId>AROA${randomBytes(6).toString('hex').toUpperCase()}:${session}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('base64')}</SecretAccessKey><SessionToken>${esc(issued.sessionToken)}</SessionToken><Expiration>${issued.expiration.toISOString()}</Expiration></Credentials>` +
      `<Provider>${GOOGLE}</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`
    );
  }

  /** Signature against the IdP's JWKS, issuer and expiry, as STS checks a Google ID token. */
  private async verify(token: string): Promise<Record<string, unknown>> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new StsFault(400, 'InvalidIdentityToken', 'The ID token is not a JWT');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new StsFault(400, 'InvalidIdentityToken', 'The ID token is not a JWT');
    }
    if (header['alg'] !== 'RS256') throw new StsFault(400, 'InvalidIdentityToken', 'Unsupported token signing algorithm');
    const jwks = (await (await fetch(this.jwksUri, { signal: AbortSignal.timeout(5000) })).json()) as { keys: (Record<string, unknown> & { kid?: string })[] };
    const jwk = jwks.keys.find((k) => k.kid === header['kid']);
    if (!jwk) throw new StsFault(400, 'InvalidIdentityToken', "No key in the identity provider's JWKS matches the token's kid");
    const ok = createVerify('RSA-SHA256')
      .update(`${parts[0]}.${parts[1]}`)
      .verify(createPublicKey({ key: jwk as never, format: 'jwk' }), Buffer.from(parts[2] as string, 'base64url'));
    if (!ok) throw new StsFault(400, 'InvalidIdentityToken', 'The web identity token signature could not be verified');
    if (claims['iss'] !== `https://${GOOGLE}` && claims['iss'] !== GOOGLE)
      throw new StsFault(400, 'InvalidIdentityToken', `Untrusted issuer ${String(claims['iss'])}`);
    const now = Date.now() / 1000;
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= now) throw new StsFault(400, 'ExpiredTokenException', 'Token expired');
    if (typeof claims['iat'] !== 'number' || claims['iat'] > now + 300) throw new StsFault(400, 'InvalidIdentityToken', 'Token issued in the future');
    if (typeof claims['sub'] !== 'string' || typeof claims['aud'] !== 'string') throw new StsFault(400, 'InvalidIdentityToken', 'Token lacks sub or aud');
    return claims;
  }
}
