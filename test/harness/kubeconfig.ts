/** A member kubeconfig skyfed accepts (inline bearer token, nothing run or read from disk), for tests that look for its token where it must not be. */
export function inlineTokenKubeconfig(token: string, server = 'https://127.0.0.1:6443'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: m',
    '  cluster:',
    `    server: ${server}`,
    'contexts:',
    '- name: m',
    '  context:',
    '    cluster: m',
    '    user: m',
    'current-context: m',
    'users:',
    '- name: m',
    '  user:',
    `    token: ${token}`,
    '',
  ].join('\n');
}
