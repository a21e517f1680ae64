/**
 * Keyless Route 53, through the real libraries: the sweep's DNS provider as functions/sweep builds
 * it, google-auth-library fetching the sweep's ID token from a metadata server double, the AWS SDK's
 * web-identity provider calling an STS double (which verifies the token against the IdP's JWKS and
 * the role's trust policy: audience and subject), and the Route 53 double receiving signed calls.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Route53Client } from '@aws-sdk/client-route-53';
import { loadConfig } from '../../../shared/config';
import { webIdentityCredentials } from '../../../shared/dns/providers/aws-web-identity';
import { DnsProvider } from '../../../shared/dns/providers/port';
import { dnsProviderFor } from '../../../functions/sweep';
import type { Runtime } from '../../../functions/runtime';
import { FakeRoute53 } from '../r53';
import { FakeGoogleIdp } from './google-idp';
import { FakeSts } from './index';

const SWEEP = { uniqueId: '104300000000000000001', email: 'skyfed-health-sweep@p.iam.gserviceaccount.com' };
const ROLE = 'arn:aws:iam::123456789012:role/skyfed-route53-sweep';
const AUDIENCE = 'skyfed-route53';

let idp: FakeGoogleIdp;
let sts: FakeSts;
let r53: FakeRoute53;
const saved = { ...process.env };

beforeAll(async () => {
  idp = await FakeGoogleIdp.start(SWEEP);
  // The trust policy terraform/aws writes: azp (as :aud), sub and the requested audience (as :oaud).
  sts = await FakeSts.start({
    jwksUri: idp.jwksUri,
    roles: [
      { arn: ROLE, conditions: { 'accounts.google.com:aud': SWEEP.uniqueId, 'accounts.google.com:sub': SWEEP.uniqueId, 'accounts.google.com:oaud': AUDIENCE } },
    ],
  });
  r53 = await FakeRoute53.start();
  r53.addZone('Z1');
  r53.seed('Z1', [{ name: 'nginx.default.fed.svc.example.com.', type: 'A', ttl: 30, rrdatas: ['192.0.2.1'] }]);
  // google-auth-library finds "Google Cloud" at the metadata double and no other credentials.
  Object.assign(process.env, {
    GCE_METADATA_HOST: idp.metadataHost,
    METADATA_SERVER_DETECTION: 'assume-present',
    HOME: mkdtempSync(join(tmpdir(), 'home-')),
    GOOGLE_CLOUD_PROJECT: 'p',
  });
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  delete process.env['CLOUDSDK_CONFIG'];
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([idp.stop(), sts.stop(), r53.stop()]);
});

function sweepDns(extra: Record<string, string> = {}): { dns: DnsProvider; headers: Record<string, string>[] } {
  const config = loadConfig({
    SKYFED_PROJECT: 'p',
    SKYFED_TRUST_IAM: 'true',
    SKYFED_DNS_SUFFIX: 'example.com',
    SKYFED_DNS_PROVIDER: 'route53',
    SKYFED_DNS_ZONE: 'Z1',
    SKYFED_DNS_ENDPOINT: r53.endpoint,
    SKYFED_STS_ENDPOINT: sts.endpoint,
    SKYFED_AWS_ROLE_ARN: ROLE,
    ...extra,
  });
  const dns = dnsProviderFor({ config } as Runtime);
  const headers: Record<string, string>[] = [];
  const client = (dns as unknown as { client: Route53Client }).client;
  client.middlewareStack.add(
    (next) => async (args) => {
      headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureSignedHeaders' },
  );
  return { dns, headers };
}

test('the sweep reads Route 53 with credentials from its own ID token: no AWS key configured anywhere', async () => {
  const before = sts.issued.length;
  const { dns, headers } = sweepDns();
  expect(await dns.records()).toEqual([{ name: 'nginx.default.fed.svc.example.com.', type: 'A', ttl: 30, rrdatas: ['192.0.2.1'] }]);
  expect(idp.issued.at(-1)).toBe(AUDIENCE);
  const creds = sts.issued.slice(before);
  expect(creds).toHaveLength(1);
  expect(creds[0]?.subject).toBe(SWEEP.uniqueId);
  // The Route 53 call is signed with the STS session, nothing else.
  expect(headers[0]?.['authorization']).toContain(`Credential=${creds[0]?.accessKeyId}/`);
  expect(headers[0]?.['x-amz-security-token']).toBe(creds[0]?.sessionToken);
});

test('credentials are reused while valid and renewed (with a fresh ID token) when about to expire', async () => {
  const { dns } = sweepDns();
  const before = sts.issued.length;
  await dns.records();
  await dns.records();
  expect(sts.issued.length - before).toBe(1);
  sts.credentialSeconds = 60; // inside the SDK's refresh window: every use renews
  try {
    const { dns: short } = sweepDns();
    const n = sts.issued.length;
    const tokens = idp.issued.length;
    await short.records();
    await short.records();
    // The SDK asks for the identity more than once per call; each renewal presents a fresh ID token.
    expect(sts.issued.length - n).toBeGreaterThanOrEqual(2);
    expect(idp.issued.length - tokens).toBe(sts.issued.length - n);
  } finally {
    sts.credentialSeconds = undefined;
  }
});

test('a token for another audience is refused by the trust policy, and the sweep reports a DNS error', async () => {
  const { dns } = sweepDns({ SKYFED_AWS_WEB_IDENTITY_AUDIENCE: 'someone-else' });
  const rejected = sts.rejected.length;
  await expect(dns.records()).rejects.toThrow(/AccessDenied|Not authorized/);
  expect(sts.rejected.slice(rejected)).toEqual(['AccessDenied']);
});

test('another service account (subject) is refused; forged, foreign and expired tokens are refused', async () => {
  const assume = (token: string) =>
    webIdentityCredentials({ roleArn: ROLE, audience: AUDIENCE, region: 'us-east-1', stsEndpoint: sts.endpoint, idToken: async () => token })();
  const rejected = sts.rejected.length;
  await expect(assume(idp.sign(AUDIENCE, { sub: '999', azp: '999' }))).rejects.toThrow(/Not authorized/);
  await expect(assume(idp.sign(AUDIENCE, { sub: '999' }))).rejects.toThrow(/Not authorized/); // azp right, sub wrong
  const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  await expect(assume(idp.sign(AUDIENCE, {}, privateKey))).rejects.toThrow(/signature/);
  await expect(assume(idp.sign(AUDIENCE, { iss: 'https://evil.example' }))).rejects.toThrow(/issuer/);
  await expect(assume(idp.sign(AUDIENCE, { exp: Math.floor(Date.now() / 1000) - 10 }))).rejects.toThrow(/expired/i);
  expect(sts.rejected.slice(rejected)).toEqual(['AccessDenied', 'AccessDenied', 'InvalidIdentityToken', 'InvalidIdentityToken', 'ExpiredTokenException']);
  // The right token still works.
  await expect(assume(idp.sign(AUDIENCE))).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
});

test('a role ARN that is not one fails at start with the name of the key', () => {
  expect(() =>
    loadConfig({
      SKYFED_PROJECT: 'p',
      SKYFED_TRUST_IAM: 'true',
      SKYFED_DNS_PROVIDER: 'route53',
      SKYFED_DNS_ZONE: 'Z1',
      SKYFED_AWS_ROLE_ARN: 'AKIAIOSFODNN7EXAMPLE',
    }),
  ).toThrow(/SKYFED_AWS_ROLE_ARN/);
});
