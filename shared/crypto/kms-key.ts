/**
 * A KEK held in Cloud KMS: data keys are wrapped and unwrapped by KMS `encrypt`/`decrypt` (REST),
 * so the key material never leaves KMS. The Secret's identity goes in as additional authenticated data.
 */
import { GoogleAuth } from 'google-auth-library';
import { KeyEncryptionKey } from './envelope';

export interface KmsTransport {
  request<T>(opts: { url: string; method: 'POST'; data: unknown }): Promise<{ data: T }>;
}

export class CloudKmsKey implements KeyEncryptionKey {
  readonly keyId: string;
  constructor(
    /** projects/P/locations/L/keyRings/R/cryptoKeys/K */
    private readonly keyName: string,
    private readonly transport: KmsTransport = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloudkms'] }) as unknown as KmsTransport,
    private readonly endpoint = 'https://cloudkms.googleapis.com/v1',
  ) {
    if (!/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(keyName)) {
      throw new Error(`SKYFED_KMS_KEY must be projects/P/locations/L/keyRings/R/cryptoKeys/K (got ${JSON.stringify(keyName)})`);
    }
    this.keyId = `kms:${keyName}`;
  }

  async wrap(dataKey: Buffer, aad: string): Promise<Buffer> {
    const res = await this.transport.request<{ ciphertext: string }>({
      url: `${this.endpoint}/${this.keyName}:encrypt`,
      method: 'POST',
      data: { plaintext: dataKey.toString('base64'), additionalAuthenticatedData: Buffer.from(aad).toString('base64') },
    });
    return Buffer.from(res.data.ciphertext, 'base64');
  }

  async unwrap(wrapped: Buffer, aad: string): Promise<Buffer> {
    const res = await this.transport.request<{ plaintext: string }>({
      url: `${this.endpoint}/${this.keyName}:decrypt`,
      method: 'POST',
      data: { ciphertext: wrapped.toString('base64'), additionalAuthenticatedData: Buffer.from(aad).toString('base64') },
    });
    return Buffer.from(res.data.plaintext, 'base64');
  }
}
