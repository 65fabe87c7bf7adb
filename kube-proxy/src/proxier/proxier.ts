// A proxier makes this node's data path match the desired ProxyState (upstream's
// proxy.Provider). The mode-independent part (informers, the state, the bounded-frequency
// runner, health) lives in proxy-server.ts; a mode only implements this interface:
// - userspace: TCP listeners on the node ports, forwarding in this process;
// - iptables: KUBE-SERVICES / KUBE-SVC-* / KUBE-SEP-* chains through iptables-restore.

import type { ProxyState } from '../state/proxy-state.ts';

export type ProxyMode = 'userspace' | 'iptables';

export interface Proxier {
  readonly mode: ProxyMode;
  /**
   * Programs `state`, replacing whatever the last sync programmed. Idempotent. Rejects when
   * part of it could not be applied (the rest is); the runner then retries.
   */
  sync(state: ProxyState): Promise<void>;
  /** Takes everything this proxier programmed down (listeners closed, rules left as they are). */
  close(): Promise<void>;
}
