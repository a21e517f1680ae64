/**
 * Keyless AWS credentials for Route 53: the sweep presents its own Google-signed ID token (audience
 * configurable) to AWS STS `AssumeRoleWithWebIdentity` and gets short-lived credentials for one role;
 * no AWS key is stored anywhere. terraform/aws makes the role trust only the sweep's service account
 * (its unique id as azp/sub) and only this audience.
 *
 * The AWS SDK memoizes a credential provider and calls it again shortly before the credentials
 * expire; each call fetches a fresh ID token (they live an hour), so sessions never outlive it.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import { fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import { GoogleAuth } from 'google-auth-library';
import { DnsConfig } from '../../config';

/** An ID token of the running service account for an audience (the metadata server, on Google Cloud). */
export type IdTokenSource = (audience: string) => Promise<string>;

export function googleIdTokens(auth: GoogleAuth = new GoogleAuth()): IdTokenSource {
  return async (audience) => (await auth.getIdTokenClient(audience)).idTokenProvider.fetchIdToken(audience);
}

export interface WebIdentityOptions {
  readonly roleArn: string;
  readonly audience: string;
  readonly region: string;
  readonly idToken: IdTokenSource;
  /** Test doubles only. */
  readonly stsEndpoint?: string;
  readonly timeoutMs?: number;
}

type AwsCredentials = Awaited<ReturnType<ReturnType<typeof fromWebToken>>>;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function webIdentityCredentials(o: WebIdentityOptions): () => Promise<AwsCredentials> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return async () => {
    const webIdentityToken = await within(o.idToken(o.audience), timeoutMs, 'fetching the Google ID token');
    return fromWebToken({
      roleArn: o.roleArn,
      roleSessionName: 'skyfed-sweep',
      webIdentityToken,
      clientConfig: {
        region: o.region,
        maxAttempts: 2,
        requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
        ...(o.stsEndpoint ? { endpoint: o.stsEndpoint } : {}),
      },
    })();
  };
}

/** The sweep's Route 53 client: keyless when a role is configured, else the SDK's default chain (a mounted credentials file). */
export function route53Client(dns: DnsConfig, idToken: IdTokenSource = googleIdTokens()): Route53Client {
  const credentials = dns.awsRoleArn
    ? webIdentityCredentials({
        roleArn: dns.awsRoleArn,
        audience: dns.awsWebIdentityAudience,
        region: dns.awsRegion,
        idToken,
        ...(dns.stsEndpoint ? { stsEndpoint: dns.stsEndpoint } : {}),
      })
    : undefined;
  // SDK retries off: the adapter's jittered back-off is the one retry layer.
  return new Route53Client({
    region: dns.awsRegion,
    maxAttempts: 1,
    ...(dns.endpoint ? { endpoint: dns.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
}
