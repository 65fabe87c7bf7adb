// Who leads: the leader-election Leases in kube-system, matched to the launcher's processes.
//
// A Lease names its holder by identity (`<hostname>_<uuid>`), which says nothing about the
// process. Each component logs its identity when it acquires the Lease ("successfully
// acquired lease", pino field `identity`), so the holder is the candidate whose log has it.

/** The Leases the launcher reports, as `namespace/name`. */
export const LEADER_LEASES = ['kube-system/kube-scheduler', 'kube-system/kube-controller-manager'] as const;

/** A process that may hold a Lease: its name and a way to read its log. */
export interface LeaseCandidate {
  name: string;
  pid: number | undefined;
  readLog(): string;
}

export interface LeaderInfo {
  /** `kube-system/kube-scheduler`. */
  lease: string;
  /** spec.holderIdentity; undefined when the Lease does not exist or nobody holds it. */
  holderIdentity?: string;
  /** The launcher's process that logged this identity, when one did. */
  holder?: string;
  holderPid?: number;
  /** spec.renewTime. */
  renewTime?: string;
  /** renewTime + leaseDurationSeconds is in the past: the holder stopped renewing. */
  expired: boolean;
}

interface LeaseObject {
  spec?: { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseDurationSeconds?: number };
}

/** Reads each Lease of LEADER_LEASES from the apiserver at `apiserverUrl` and names its holder among `candidates`. */
export async function readLeaders(apiserverUrl: string, candidates: LeaseCandidate[]): Promise<LeaderInfo[]> {
  return Promise.all(
    LEADER_LEASES.map(async (lease): Promise<LeaderInfo> => {
      const [ns, name] = lease.split('/');
      const res = await fetch(`${apiserverUrl}/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(5_000),
      });
      if (res.status === 404) {
        await res.arrayBuffer();
        return { lease, expired: false };
      }
      if (res.status !== 200) throw new Error(`GET lease ${lease}: HTTP ${res.status} ${await res.text()}`);
      const spec = ((await res.json()) as LeaseObject).spec ?? {};
      const info: LeaderInfo = { lease, expired: false };
      if (!spec.holderIdentity) return info;
      info.holderIdentity = spec.holderIdentity;
      info.renewTime = spec.renewTime ?? spec.acquireTime;
      if (info.renewTime && spec.leaseDurationSeconds) {
        info.expired = Date.parse(info.renewTime) + spec.leaseDurationSeconds * 1_000 < Date.now();
      }
      const needle = `"identity":${JSON.stringify(spec.holderIdentity)}`;
      const holder = candidates.find((c) => c.readLog().includes(needle));
      if (holder) {
        info.holder = holder.name;
        info.holderPid = holder.pid;
      }
      return info;
    }),
  );
}

/** "kube-system/kube-scheduler: kube-scheduler-1 (pid 4242) holds it" and the like. */
export function describeLeader(l: LeaderInfo): string {
  if (!l.holderIdentity) return `${l.lease}: no leader yet`;
  const who = l.holder ? `${l.holder} (pid ${l.holderPid ?? '?'})` : `${l.holderIdentity} (not one of this launcher's processes)`;
  return `${l.lease}: ${who} leads${l.expired ? ' - but its lease has EXPIRED (it stopped renewing)' : ''}`;
}
