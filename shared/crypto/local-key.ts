/** A KEK kept in a local key file (created on first use, mode 0600). For the local stack and tests. */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyEncryptionKey, aesGcmDecrypt, aesGcmEncrypt } from './envelope';

export class LocalFileKey implements KeyEncryptionKey {
  readonly keyId: string;
  private constructor(private readonly key: Buffer) {
    this.keyId = `local:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  }

  /**
   * Loads the key file, creating it with 32 random bytes when it does not exist. Every function
   * instance of the local stack starts at once: when another one created the file first, its key
   * is the one read.
   */
  static loadOrCreate(path: string): LocalFileKey {
    const read = (): Buffer => Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    let key: Buffer;
    try {
      key = read();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      key = randomBytes(32);
      // Written whole under a private name, then linked into place: a reader never sees half a key.
      const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(draft, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      try {
        linkSync(draft, path);
      } catch (w) {
        if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
        key = read();
      } finally {
        unlinkSync(draft);
      }
    }
    if (key.length !== 32) throw new Error(`key file ${path} must hold 32 base64-encoded bytes`);
    return new LocalFileKey(key);
  }

  static fromBytes(key: Buffer): LocalFileKey {
    return new LocalFileKey(key);
  }

  async wrap(dataKey: Buffer, aad: string): Promise<Buffer> {
    const { iv, tag, ciphertext } = aesGcmEncrypt(this.key, dataKey, aad);
    return Buffer.concat([iv, tag, ciphertext]);
  }

  async unwrap(wrapped: Buffer, aad: string): Promise<Buffer> {
    return aesGcmDecrypt(this.key, { iv: wrapped.subarray(0, 12), tag: wrapped.subarray(12, 28), ciphertext: wrapped.subarray(28) }, aad);
  }
}
