/**
 * Attacker's side: a member kubeconfig is data. Every way a kubeconfig can make the control plane
 * run a program, read a file, go through a proxy or act as someone else is refused, naming the
 * field and never quoting its value.
 */
import { kubeconfigProblems, parseMemberKubeconfig } from '../../../shared/k8s/kubeconfig';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const KEY = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n').toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'm',
    clusters: [{ name: 'm', cluster: { server: 'https://203.0.113.7:6443', 'certificate-authority-data': CA, ...cluster } }],
    users: [{ name: 'm', user }],
    contexts: [{ name: 'm', context: { cluster: 'm', user: 'm' } }],
    ...extra,
  });
}

const SECRET = 'TOP-SECRET-VALUE-0123456789';

test('inline token and client certificate are accepted', () => {
  expect(parseMemberKubeconfig(kubeconfig({}, { token: 'abc.def' })).token).toBe('abc.def');
  const c = parseMemberKubeconfig(kubeconfig({ 'tls-server-name': 'api.internal' }, { 'client-certificate-data': CA, 'client-key-data': KEY }));
  expect(c.certData?.toString()).toContain('BEGIN CERTIFICATE');
  expect(c.tlsServerName).toBe('api.internal');
  expect(c.caData?.toString()).toContain('BEGIN CERTIFICATE');
});

test.each([
  ['exec plugin', {}, { exec: { command: '/bin/sh', args: ['-c', `echo ${SECRET}`], apiVersion: 'client.authentication.k8s.io/v1' } }, 'users[0].user.exec'],
  ['auth-provider', {}, { 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh', tokenFile: '/etc/shadow' } } }, 'users[0].user.auth-provider'],
  ['tokenFile', {}, { tokenFile: '/work/.skyfed/kek.key' }, 'users[0].user.tokenFile'],
  ['client-certificate path', {}, { 'client-certificate': '/etc/ssl/private/x.pem', 'client-key-data': KEY }, 'users[0].user.client-certificate'],
  ['client-key path', {}, { 'client-certificate-data': CA, 'client-key': '/etc/ssl/private/x.key' }, 'users[0].user.client-key'],
  ['certificate-authority path', { 'certificate-authority': '/etc/passwd' }, { token: 't' }, 'clusters[0].cluster.certificate-authority'],
  ['proxy-url', { 'proxy-url': 'socks5://169.254.169.254:1080' }, { token: 't' }, 'clusters[0].cluster.proxy-url'],
  ['basic auth', {}, { username: 'admin', password: SECRET }, 'users[0].user.password'],
  ['impersonation', {}, { token: 't', as: 'system:admin' }, 'users[0].user.as'],
  ['TLS verification off', { 'insecure-skip-tls-verify': true }, { token: 't' }, 'clusters[0].cluster.insecure-skip-tls-verify'],
  ['unknown user field', {}, { token: 't', 'x-plugin': SECRET }, 'users[0].user.x-plugin'],
])('%s is refused by field path, never quoting a value', (_what, cluster, user, path) => {
  const problems = kubeconfigProblems(kubeconfig(cluster, user));
  expect(problems.map((p) => p.path)).toContain(path);
  const text = JSON.stringify(problems);
  expect(text).not.toContain(SECRET);
  expect(text).not.toMatch(/\/etc\/|\/bin\/sh|kek\.key|169\.254/);
});

test('a refused field in a user the current context does not use is refused too', () => {
  const cfg = JSON.parse(kubeconfig({}, { token: 't' })) as { users: unknown[] };
  cfg.users.push({ name: 'other', user: { exec: { command: 'curl' } } });
  expect(kubeconfigProblems(JSON.stringify(cfg)).map((p) => p.path)).toContain('users[1].user.exec');
});

test.each([
  ['not YAML', `: : [${SECRET}`],
  ['a list', '- a\n- b'],
  ['YAML aliases (billion laughs)', 'a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]'],
  ['no current context', JSON.stringify({ clusters: [], users: [], contexts: [] })],
  ['no credentials', kubeconfig({}, {})],
  ['a token with a newline (header injection)', kubeconfig({}, { token: 'a\r\nX-Evil: 1' })],
  ['CA data that is not PEM', kubeconfig({ 'certificate-authority-data': Buffer.from(SECRET).toString('base64') }, { token: 't' })],
])('%s is refused without echoing the input', (_what, text) => {
  const problems = kubeconfigProblems(text);
  expect(problems.length).toBeGreaterThan(0);
  expect(JSON.stringify(problems)).not.toContain(SECRET);
});
