// The real kubectl 1.32 against a tiny HTTP server that answers discovery and serves our
// Tables: kubectl must print exactly our cells, under the headers it derives from our
// column definitions, aligned, hiding priority-1 columns unless -o wide, and reading
// namespace and labels from the rows' PartialObjectMetadata.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '@minik8s/shared';
import { toTable, type Table } from '../../src/printers/index.ts';

const exec = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function pods(): KubeObject[] {
  const meta = (name: string, namespace: string, labels: Record<string, string>) => ({ name, namespace, uid: `uid-${name}`, resourceVersion: '7', labels, creationTimestamp: ago(10 * 60_000) });
  return [
    {
      metadata: meta('web-1', 'default', { app: 'web', tier: 'front' }),
      spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: { phase: 'Running', podIP: '10.244.1.5', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }] },
    },
    {
      metadata: meta('crashy', 'team-a', { app: 'crashy' }),
      spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'busybox' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.2.9',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * 60_000) } },
          },
        ],
      },
    },
  ];
}

const apiResourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] }],
};

/** Splits a kubectl table line into [text, column offset] (columns are 3+ spaces apart; cells have no double spaces). */
function columnsOf(line: string): [string, number][] {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => [m[0], m.index]);
}

describe('kubectl 1.32 prints our Tables', { skip: existsSync(KUBECTL) ? false : 'no kubectl at /usr/bin/kubectl' }, () => {
  let server: Server;
  let dir: string;
  let kubeconfig: string;
  const served: Table[] = [];

  function send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const accept = req.headers.accept ?? '';
    if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (url.pathname === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (url.pathname === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (url.pathname === '/api/v1') return send(res, 200, apiResourceList);
    const all = url.pathname === '/api/v1/pods';
    const ns = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname)?.[1];
    if (all || ns) {
      const items = pods().filter((p) => all || p.metadata.namespace === ns);
      if (!accept.includes('as=Table')) return send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items });
      const includeObject = url.searchParams.get('includeObject');
      const table = toTable('', 'pods', items, {
        now: new Date(),
        includeObject: includeObject === 'Object' || includeObject === 'None' ? includeObject : 'Metadata',
        listMeta: { resourceVersion: '9' },
      });
      served.push(table);
      return send(res, 200, table);
    }
    send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${url.pathname} not found`, reason: 'NotFound', code: 404 });
  }

  before(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(join(tmpdir(), 'printers-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
        'users: [{name: t, user: {}}]',
        'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
        'current-context: t',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function kubectl(...args: string[]): Promise<{ lines: string[]; table: Table }> {
    const before = served.length;
    const { stdout } = await exec(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '--request-timeout=20s', ...args], {
      env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig },
      timeout: 60_000,
    });
    assert.equal(served.length, before + 1, 'kubectl fetched exactly one Table');
    return { lines: stdout.trimEnd().split('\n'), table: served[served.length - 1] };
  }

  /** Asserts the header names and that every row's cells sit under their header. */
  function assertAligned(lines: string[], headers: string[], rows: string[][]): void {
    const head = columnsOf(lines[0]);
    assert.deepEqual(head.map(([h]) => h), headers);
    assert.equal(lines.length, rows.length + 1);
    rows.forEach((want, i) => {
      const got = columnsOf(lines[i + 1]);
      assert.deepEqual(got.map(([c]) => c), want, lines[i + 1]);
      assert.deepEqual(got.map(([, at]) => at), head.map(([, at]) => at), 'columns aligned under their headers');
    });
  }

  it('kubectl get pods: default columns, our cells verbatim', async () => {
    const { lines, table } = await kubectl('get', 'pods');
    const cells = table.rows.map((r) => (r.cells as string[]).slice(0, 5));
    assert.deepEqual(cells[0].slice(1, 4), ['1/1', 'Running', '0']);
    assert.equal(cells.length, 1);
    assertAligned(lines, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], cells);
  });

  it('kubectl get pods -A -o wide: namespace from the row metadata, wide columns shown', async () => {
    const { lines, table } = await kubectl('get', 'pods', '-A', '-o', 'wide');
    const rows = table.rows.map((r) => [(r.object as { metadata: { namespace: string } }).metadata.namespace, ...(r.cells as string[])]);
    assert.deepEqual(rows[1].slice(0, 5), ['team-a', 'crashy', '0/1', 'CrashLoopBackOff', '5 (5m ago)']);
    assertAligned(lines, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'], rows);
  });

  it('kubectl get pods --show-labels: labels from the row metadata', async () => {
    const { lines, table } = await kubectl('get', 'pods', '--show-labels');
    assertAligned(lines, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'LABELS'], [[...(table.rows[0].cells as string[]).slice(0, 5), 'app=web,tier=front']]);
  });
});
