/**
 * Envelope encryption for Secret data. Each Secret gets a fresh 256-bit data key (AES-256-GCM);
 * the data key is wrapped by a key-encryption key (KEK) behind `KeyEncryptionKey`: a local key file
 * for the local stack, Cloud KMS in production. The Secret's identity is bound as associated data,
 * so a sealed blob copied onto another Secret fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InputErrorReason, SkyfedError } from '../errors';

export interface KeyEncryptionKey {
  /** Names the KEK (file fingerprint or KMS key name) so rotation can tell old blobs apart. */
  readonly keyId: string;
  wrap(dataKey: Buffer, aad: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, aad: string): Promise<Buffer>;
}

export interface SealedData {
  readonly keyId: string;
  readonly wrappedKey: string; // base64
  readonly iv: string; // base64
  readonly tag: string; // base64
  readonly ciphertext: string; // base64 of JSON {key: base64 value}
}

export class DecryptionError extends SkyfedError<InputErrorReason> {
  override readonly name = 'DecryptionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DecryptionFailed', message, options);
  }
}

export function aesGcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

export function aesGcmDecrypt(key: Buffer, parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer }, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (cause) {
    throw new DecryptionError('secret data failed authentication (wrong key or tampered data)', { cause });
  }
}

/** Seals `data` (Secret data: key → raw bytes). */
export async function seal(kek: KeyEncryptionKey, data: Record<string, Buffer>, aad: string): Promise<SealedData> {
  const dataKey = randomBytes(32);
  const plain = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')]))));
  const { iv, tag, ciphertext } = aesGcmEncrypt(dataKey, plain, aad);
  const wrapped = await kek.wrap(dataKey, aad);
  dataKey.fill(0);
  return {
    keyId: kek.keyId,
    wrappedKey: wrapped.toString('base64'),
    iv: iv.toString('base64'),
    tag: tag.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

export async function open(kek: KeyEncryptionKey, sealed: SealedData, aad: string): Promise<Record<string, Buffer>> {
  const dataKey = await kek.unwrap(Buffer.from(sealed.wrappedKey, 'base64'), aad);
  const plain = aesGcmDecrypt(
    dataKey,
    {
      iv: Buffer.from(sealed.iv, 'base64'),
      tag: Buffer.from(sealed.tag, 'base64'),
      ciphertext: Buffer.from(sealed.ciphertext, 'base64'),
    },
    aad,
  );
  dataKey.fill(0);
  const obj = JSON.parse(plain.toString('utf8')) as Record<string, string>;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}
