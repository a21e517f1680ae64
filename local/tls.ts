/**
 * A self-signed CA for the local stack, generated once and kept under .skyfed/tls, and a server
 * certificate for 127.0.0.1/localhost signed by it. kubectl only sends bearer tokens over TLS, so the
 * local API is HTTPS and the CA goes into the generated kubeconfig.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function serial(): string {
  return '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

/** RSA keys from Node's native generator (node-forge's pure-JS one takes seconds per key). */
function rsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey };
}

function newCert(subjectCn: string, publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600 * 1000);
  cert.setSubject([
    { name: 'commonName', value: subjectCn },
    { name: 'organizationName', value: 'skyfed local' },
  ]);
  return cert;
}

/** Creates a CA and a server certificate for the given hosts (IPs and DNS names). */
export function generateTls(hosts: readonly string[] = ['127.0.0.1', 'localhost']): TlsMaterial {
  const caKeys = rsaKeys();
  const ca = newCert('skyfed-local-ca', caKeys.publicKey, 10);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = rsaKeys();
  const cert = newCert(hosts[0] ?? 'localhost', keys.publicKey, 2);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (/^[0-9.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h })) },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** Loads the stack's TLS material from `dir`, generating it on first use. */
export function loadOrCreateTls(dir: string): TlsMaterial {
  const files = { caPem: join(dir, 'ca.crt'), certPem: join(dir, 'server.crt'), keyPem: join(dir, 'server.key') };
  if (Object.values(files).every((f) => existsSync(f))) {
    return { caPem: readFileSync(files.caPem, 'utf8'), certPem: readFileSync(files.certPem, 'utf8'), keyPem: readFileSync(files.keyPem, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tls = generateTls();
  writeFileSync(files.caPem, tls.caPem);
  writeFileSync(files.certPem, tls.certPem);
  writeFileSync(files.keyPem, tls.keyPem, { mode: 0o600 });
  return tls;
}
