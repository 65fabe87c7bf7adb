// The resource lock leader election writes: a coordination.k8s.io/v1 Lease, read and written
// through the apiserver only (client-go's resourcelock.LeaseLock). The lock remembers the
// Lease it last read or wrote, and every update carries that resourceVersion: a concurrent
// writer makes the update fail with 409 Conflict instead of overwriting.

import type { KubeObject } from '../api/types.ts';
import type { RestClient } from '../client/rest-client.ts';
import { RESOURCES } from '../api/resources.ts';
import { formatMicroTime, parseMicroTime } from './micro-time.ts';

const LEASES = RESOURCES.find((r) => r.group === 'coordination.k8s.io' && r.resource === 'leases')!;

/** What leader election reads and writes, independent of the object that stores it. */
export interface LeaderElectionRecord {
  /** '' when nobody holds the lock (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Milliseconds since the epoch. */
  acquireTime: number;
  renewTime: number;
  leaderTransitions: number;
}

export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** client-go's resourcelock.Interface. */
export interface ResourceLock {
  /** The current record and its raw form (to tell whether it changed); throws NotFound if absent. */
  get(signal?: AbortSignal): Promise<{ record: LeaderElectionRecord; raw: string }>;
  /** Creates the lock object; throws AlreadyExists if someone was first. */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** Writes over the version last read or written; throws Conflict if it changed since. */
  update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  identity(): string;
  describe(): string;
}

export function leaseSpecFromRecord(r: LeaderElectionRecord): NonNullable<Lease['spec']> {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: formatMicroTime(r.acquireTime),
    renewTime: formatMicroTime(r.renewTime),
    leaseTransitions: r.leaderTransitions,
  };
}

export function recordFromLeaseSpec(spec: Lease['spec']): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: parseMicroTime(spec?.acquireTime) ?? 0,
    renewTime: parseMicroTime(spec?.renewTime) ?? 0,
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
}

export class LeaseLock implements ResourceLock {
  readonly namespace: string;
  readonly name: string;
  private readonly client: RestClient;
  private readonly id: string;
  private lease: Lease | undefined;

  constructor(client: RestClient, namespace: string, name: string, identity: string) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.id = identity;
  }

  async get(signal?: AbortSignal): Promise<{ record: LeaderElectionRecord; raw: string }> {
    const lease = await this.client.get<Lease>(LEASES, this.name, { namespace: this.namespace, signal });
    this.lease = lease;
    const record = recordFromLeaseSpec(lease.spec);
    return { record, raw: JSON.stringify(lease.spec ?? {}) };
  }

  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.lease = await this.client.create<Lease>(
      LEASES,
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.namespace },
        spec: leaseSpecFromRecord(record),
      },
      { namespace: this.namespace, signal },
    );
  }

  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error('lease not initialized, call get or create first');
    const next: Lease = { ...this.lease, spec: leaseSpecFromRecord(record) };
    this.lease = await this.client.update<Lease>(LEASES, next, { namespace: this.namespace, signal });
  }

  identity(): string {
    return this.id;
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}
