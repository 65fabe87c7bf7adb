import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '@minik8s/shared';
import { ContainerConfigError, expandCommand, makeEnvironment, type ConfigSource } from '../../src/pod-workers/container-env.ts';
import { expand } from '../../src/pod-workers/expansion.ts';
import { c, pod } from '../support/fixtures.ts';

const objects: Record<string, KubeObject> = {
  'cm/cfg': { metadata: { name: 'cfg' }, data: { a: '1', b: '2', 'bad=key': 'x' } },
  'secret/sec': { metadata: { name: 'sec' }, data: { token: Buffer.from('t0k').toString('base64') } },
};
const source: ConfigSource = {
  getConfigMap: async (_ns, name) => objects[`cm/${name}`],
  getSecret: async (_ns, name) => objects[`secret/${name}`],
};

describe('expand', () => {
  test('replaces defined references, keeps undefined ones, and unescapes $$', () => {
    const vars: Record<string, string> = { A: 'x', B: 'y' };
    const look = (n: string) => vars[n];
    assert.equal(expand('$(A)-$(B)', look), 'x-y');
    assert.equal(expand('$(MISSING)', look), '$(MISSING)');
    assert.equal(expand('$$(A)', look), '$(A)');
    assert.equal(expand('cost: $$5 $', look), 'cost: $5 $');
    assert.equal(expand('$(A', look), '$(A');
    assert.equal(expand('$()', look), '$()');
  });
});

describe('makeEnvironment', () => {
  test('envFrom, then env in order, with fieldRef, resourceFieldRef, ConfigMap and Secret keys and $(VAR) expansion', async () => {
    const container = c('app', {
      resources: { limits: { memory: '128Mi' } },
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CM_' }],
      env: [
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
        { name: 'BOTH', value: '$(A)/$(TOKEN)/$(LATER)' },
        { name: 'LATER', value: 'z' },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
      ],
    });
    const p = pod({ containers: [container] }, { labels: { app: 'web' } });
    const env = await makeEnvironment({ pod: p, container, hostIP: '192.0.2.1', podIPs: ['10.0.0.7'], nodeAllocatable: { cpu: '3' }, source });
    assert.deepEqual(Object.fromEntries(env.map((e) => [e.key, e.value])), {
      CM_a: '1',
      CM_b: '2',
      NAME: 'p',
      IP: '10.0.0.7',
      HOST: '192.0.2.1',
      APP: 'web',
      MEM_MI: '128',
      CPU: '3',
      A: '1',
      TOKEN: 't0k',
      BOTH: '1/t0k/$(LATER)',
      LATER: 'z',
    });
    assert.ok(!env.some((e) => e.key.includes('=')), 'a key that is no valid variable name is skipped');
    assert.deepEqual(expandCommand(c('x', { command: ['echo', '$(NAME)'], args: ['$(A)', '$$(A)'] }), env), { command: ['echo', 'p'], args: ['1', '$(A)'] });
  });

  test('a missing ConfigMap, Secret or key is a ContainerConfigError with upstream wording', async () => {
    const run = (env: NonNullable<ReturnType<typeof c>['env']>) => {
      const container = c('app', { env });
      return makeEnvironment({ pod: pod({ containers: [container] }), container, hostIP: '', podIPs: [], nodeAllocatable: {}, source });
    };
    await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]), new ContainerConfigError('configmap "nope" not found'));
    await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'zz' } } }]), new ContainerConfigError("couldn't find key zz in ConfigMap ns/cfg"));
    await assert.rejects(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'none', key: 'k' } } }]), new ContainerConfigError('secret "none" not found'));
  });
});
