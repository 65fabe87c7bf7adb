// Allocation across apiservers, retried updates, and the repair: against one real etcd.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '@minik8s/shared';
import { startEtcd, type EtcdHandle } from '@minik8s/shared/testing';
import { EtcdStore } from '../../src/storage/etcd-store.ts';
import { AllocationRepair, enlistInUpdate, withUpdateTransactions } from '../../src/registry/allocators/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SVC = '/api/v1/namespaces/default/services';

function service(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

async function allocatedNodePorts(s: TestServer): Promise<number[]> {
  const out: number[] = [];
  (await s.server.serviceAllocators.nodePorts.read()).bitmap.forEach((o) => out.push(s.server.serviceAllocators.nodePortRange.portAt(o)));
  return out;
}

async function allocatedIPs(s: TestServer): Promise<string[]> {
  const out: string[] = [];
  (await s.server.serviceAllocators.ips.read()).bitmap.forEach((o) => out.push(s.server.serviceAllocators.cidr.ipAt(o)));
  return out;
}

describe('allocation consistency', () => {
  let etcd: EtcdHandle;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    etcd = await startEtcd();
    a = await startTestServer({ etcd });
    b = await startTestServer({ etcd });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await etcd?.stop();
  });

  it('two apiservers creating at once never hand out one IP or node port twice', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).req('POST', SVC, service(`pair-${i}`, { type: 'NodePort' }))),
    );
    assert.deepEqual(results.map((r) => r.status), Array(40).fill(201), JSON.stringify(results.find((r) => r.status !== 201)?.body));
    assert.equal(new Set(results.map((r) => r.body.spec.clusterIP)).size, 40);
    const ports = results.map((r) => r.body.spec.ports[0].nodePort);
    assert.equal(new Set(ports).size, 40);
    // Either server reads the same bitmap: exactly these ports.
    assert.deepEqual(await allocatedNodePorts(b), [...ports].sort((x, y) => x - y));
  });

  it('an explicit value taken through one apiserver is refused by the other', async () => {
    assert.equal((await a.req('POST', SVC, service('via-a', { clusterIP: '10.96.0.33' }))).status, 201);
    const r = await b.req('POST', SVC, service('via-b', { clusterIP: '10.96.0.33' }));
    assert.equal(r.status, 422);
    assert.match(r.body.message, /failed to allocate IP 10\.96\.0\.33: provided IP is already allocated/);
  });

  it('an update that loses a write race gives back what it took and takes it again on the retry', async () => {
    assert.equal((await a.req('POST', SVC, service('raced'))).status, 201);
    const store = a.server.registry.store({ group: '', resource: 'services' })!;
    let attempts = 0;
    const { object } = await store.update('default', 'raced', async (existing) => {
      attempts++;
      if (attempts === 1) {
        // Another writer changes the Service after this attempt read it: its write conflicts.
        await b.req('PATCH', `${SVC}/raced`, { metadata: { labels: { touched: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
      }
      const next = structuredClone(existing!);
      next.spec.type = 'NodePort';
      next.spec.ports = [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30777 }, { name: 'b', port: 81, protocol: 'TCP', targetPort: 81 }];
      next.spec.ports[0].name = 'a';
      return next;
    });
    assert.equal(attempts, 2, 'the first attempt conflicted');
    assert.equal(object.metadata.labels?.touched, 'yes');
    const [explicit, auto] = object.spec.ports.map((p: any) => p.nodePort);
    assert.equal(explicit, 30777);
    const held = await allocatedNodePorts(a);
    assert.ok(held.includes(30777) && held.includes(auto));
    // The auto-allocated port of the lost attempt was given back: only Services' ports are held.
    const svcs = (await a.req('GET', SVC)).body.items as any[];
    const inUse = new Set(svcs.flatMap((s) => (s.spec.ports ?? []).map((p: any) => p.nodePort).filter(Boolean)));
    assert.deepEqual(held, [...inUse].sort((x, y) => x - y));
  });

  it('transactions: a lost attempt is reverted before the retry, the landed one committed', async () => {
    const raw = new EtcdStore({ endpoints: etcd.endpoints });
    try {
      const storage = withUpdateTransactions(raw);
      const key = '/test/transactions/one';
      await raw.create(key, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' }, data: { n: '0' } });
      const log: string[] = [];
      let attempt = 0;
      await storage.guaranteedUpdate(key, async (cur) => {
        const n = ++attempt;
        enlistInUpdate({ commit: async () => void log.push(`commit ${n}`), revert: async () => void log.push(`revert ${n}`) });
        log.push(`attempt ${n}`);
        if (n === 1) await raw.guaranteedUpdate(key, (c) => ({ ...c!, data: { n: 'other' } }));
        return { ...cur!, data: { n: String(n) } };
      });
      assert.deepEqual(log, ['attempt 1', 'revert 1', 'attempt 2', 'commit 2']);
      log.length = 0;
      await assert.rejects(
        storage.guaranteedUpdate(key, async () => {
          enlistInUpdate({ commit: async () => void log.push('commit'), revert: async () => void log.push('revert') });
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.deepEqual(log, ['revert']);
      assert.equal(enlistInUpdate({ commit: async () => {}, revert: async () => {} }), false, 'outside an update there is nothing to enlist in');
    } finally {
      await raw.close();
    }
  });

  it('the repair frees a leaked value only after it was seen unused three runs in a row', async () => {
    const allocators = a.server.serviceAllocators;
    const leaked = allocators.cidr.offsetOf('10.96.0.200')!;
    const taken = await allocators.ips.apply({ take: [leaked] });
    assert.equal(taken.ok, true);
    const repair = new AllocationRepair({ storage: a.server.storage, servicesPrefix: '/registry/services/', allocators, logger: pino({ level: 'silent' }) });
    const ipsBefore = (await allocatedIPs(a)).filter((ip) => ip !== '10.96.0.200');
    await repair.runOnce();
    await repair.runOnce();
    assert.ok((await allocatedIPs(a)).includes('10.96.0.200'), 'kept while it may belong to a create in flight');
    await repair.runOnce();
    assert.deepEqual(await allocatedIPs(a), ipsBefore, 'freed; everything a Service holds stays');
  });

  it('a new apiserver rebuilds the ranges from the stored Services at start', async () => {
    // A Service written behind the allocator's back (e.g. restored from a backup) ...
    const restored: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'restored', namespace: 'default', uid: 'u-restored', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { type: 'NodePort', clusterIP: '10.96.0.222', clusterIPs: ['10.96.0.222'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30999 }], sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' },
    };
    await a.server.storage.create('/registry/services/default/restored', restored);
    // ... and ranges lost: the next apiserver's start-up repair recreates them from the Services.
    await a.server.storage.delete('/registry/ranges/serviceips');
    await a.server.storage.delete('/registry/ranges/servicenodeports');
    const c = await startTestServer({ etcd });
    try {
      const ip = await c.req('POST', SVC, service('after-restore', { clusterIP: '10.96.0.222' }));
      assert.equal(ip.status, 422);
      assert.match(ip.body.message, /provided IP is already allocated/);
      const port = await c.req('POST', SVC, service('after-restore', { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] }));
      assert.equal(port.status, 422);
      assert.match(port.body.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30999: provided port is already allocated/);
      // Every Service created before is in the rebuilt bitmap too.
      const svcs = (await c.req('GET', SVC)).body.items as any[];
      const held = await allocatedIPs(c);
      for (const s of svcs) if (s.spec.clusterIP && s.spec.clusterIP !== 'None') assert.ok(held.includes(s.spec.clusterIP), s.metadata.name);
    } finally {
      await c.stop();
    }
  });
});
