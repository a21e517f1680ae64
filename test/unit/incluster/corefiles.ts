/**
 * CoreDNS Corefiles as the distributions ship them (their published defaults, written out here):
 * kubeadm 1.30, Amazon EKS's CoreDNS add-on, AKS's `coredns` ConfigMap, and k3s's.
 */
import { KUBEADM_COREFILE } from '../../../local/sim/configmaps';

/** kubeadm 1.30's, as the member simulator serves it. */
export const KUBEADM = KUBEADM_COREFILE;

export const EKS = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

export const AKS = `.:53 {
    errors
    ready
    health {
      lameduck 5s
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
      ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import custom/*.override
}
import custom/*.server
`;

export const K3S = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    hosts /etc/coredns/NodeHosts {
      ttl 60
      reload 15s
      fallthrough
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import /etc/coredns/custom/*.override
}
import /etc/coredns/custom/*.server
`;

export const ALL = { kubeadm: KUBEADM, eks: EKS, aks: AKS, k3s: K3S } as const;
