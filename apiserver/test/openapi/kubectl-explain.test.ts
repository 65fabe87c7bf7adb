// The real kubectl 1.32 reads our documents: `kubectl explain` resolves the kind through
// discovery, fetches /openapi/v3 and the group-version document, and prints the schema.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { registerOpenAPIRoutes } from '../../src/openapi/index.ts';
import { registerDiscoveryRoutes } from '../../src/http/discovery.ts';
import { VERSION_INFO } from '../../src/http/health.ts';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

test('kubectl explain prints the served schemas', { skip: !existsSync(KUBECTL) && 'kubectl is not installed' }, async () => {
  const app = Fastify();
  app.get('/version', () => VERSION_INFO);
  registerDiscoveryRoutes(app);
  registerOpenAPIRoutes(app);
  const server = await app.listen({ host: '127.0.0.1', port: 0 });
  const cacheDir = await mkdtemp(join(tmpdir(), 'kubectl-cache-'));
  const explain = async (...args: string[]) =>
    (await run(KUBECTL, ['--server', server, '--cache-dir', cacheDir, 'explain', ...args], { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 120_000 })).stdout;
  try {
    const containers = await explain('pod.spec.containers');
    assert.match(containers, /^KIND:\s+Pod$/m);
    assert.match(containers, /^FIELD: containers <\[\]Container>$/m);
    assert.match(containers, /List of containers belonging to the pod\./);
    assert.match(containers, /^ {2}name\t<string> -required-$/m);
    assert.match(containers, /^ {2}ports\t<\[\]ContainerPort>$/m);

    const policy = await explain('deployments.spec.template.spec.containers.imagePullPolicy');
    assert.match(policy, /^GROUP:\s+apps$/m);
    assert.match(policy, /^FIELD: imagePullPolicy <string>$/m);
    assert.match(policy, /^ENUM:\n\s+Always\n\s+IfNotPresent\n\s+Never$/m);

    const lease = await explain('leases.spec.renewTime');
    assert.match(lease, /^GROUP:\s+coordination\.k8s\.io$/m);
    assert.match(lease, /^FIELD: renewTime <string>$/m);
  } finally {
    await app.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
});
