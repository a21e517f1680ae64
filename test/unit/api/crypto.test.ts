import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptionError, open, seal } from '../../../shared/crypto/envelope';
import { LocalFileKey } from '../../../shared/crypto/local-key';

describe('envelope encryption of secret data', () => {
  const kek = LocalFileKey.fromBytes(randomBytes(32));
  const data = { kubeconfig: Buffer.from('apiVersion: v1\nusers: [{name: u, user: {token: s3cr3t-token}}]') };

  test('round trip, and the sealed form contains no plaintext', async () => {
    const sealed = await seal(kek, data, 'secrets/federation-system/a');
    expect(JSON.stringify(sealed)).not.toContain('s3cr3t');
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from('s3cr3t-token').toString('base64'));
    const back = await open(kek, sealed, 'secrets/federation-system/a');
    expect(back['kubeconfig']?.toString()).toBe(data.kubeconfig.toString());
  });
  test('a sealed blob moved to another secret does not open', async () => {
    const sealed = await seal(kek, data, 'secrets/federation-system/a');
    await expect(open(kek, sealed, 'secrets/federation-system/b')).rejects.toBeInstanceOf(DecryptionError);
  });
  test('another key does not open it', async () => {
    const sealed = await seal(kek, data, 'x');
    await expect(open(LocalFileKey.fromBytes(randomBytes(32)), sealed, 'x')).rejects.toBeInstanceOf(DecryptionError);
  });
  test('key file is created once with mode 0600 and reused', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kek-')), 'sub', 'kek.key');
    const a = LocalFileKey.loadOrCreate(path);
    const b = LocalFileKey.loadOrCreate(path);
    expect(a.keyId).toBe(b.keyId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toHaveLength(32);
  });
});
