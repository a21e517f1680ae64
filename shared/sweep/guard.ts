/**
 * Which addresses the sweep may probe. A load-balancer address comes from a member cluster's API,
 * so a hostile or broken cluster could point the prober at the control plane's own neighbourhood:
 * the metadata server, link-local, loopback, unspecified or multicast addresses are refused unless
 * configuration explicitly allows loopback (the local stack and its tests do).
 */
import { isIPv4, isIPv6 } from '../k8s/validation';

export interface ProbeGuardOptions {
  readonly allowLoopback: boolean;
}

function v4(ip: string): number[] {
  return ip.split('.').map(Number);
}

export function probeRefusal(address: string, opts: ProbeGuardOptions): string | undefined {
  if (isIPv4(address)) {
    const [a, b] = v4(address) as [number, number, number, number];
    if (a === 127) return opts.allowLoopback ? undefined : 'loopback address';
    if (a === 169 && b === 254) return 'link-local or metadata address';
    if (a === 0) return 'unspecified address';
    if (a >= 224) return 'multicast or reserved address';
    if (a === 100 && b >= 64 && b <= 127) return undefined; // CGNAT ranges carry real internal LBs
    return undefined;
  }
  if (isIPv6(address)) {
    const a = address.toLowerCase();
    if (a === '::1') return opts.allowLoopback ? undefined : 'loopback address';
    if (a === '::') return 'unspecified address';
    if (/^fe[89ab]/.test(a)) return 'link-local address';
    if (a.startsWith('ff')) return 'multicast address';
    if (a.startsWith('::ffff:')) return probeRefusal(a.slice(7), opts);
    if (a.startsWith('fd00:ec2::254')) return 'metadata address';
    return undefined;
  }
  return 'not an IP address';
}
