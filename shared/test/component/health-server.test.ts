import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHealthServer, listenHealthServer } from '../../src/component/health-server.ts';
import { createComponentRegistry } from '../../src/component/metrics.ts';
import { WorkQueue } from '../../src/workqueue/work-queue.ts';
import { RateLimitingQueue } from '../../src/workqueue/rate-limiting-queue.ts';
import { workqueueMetrics } from '../../src/workqueue/metrics.ts';
import { restClientMetrics } from '../../src/client/metrics.ts';
import { informerMetrics } from '../../src/informer/metrics.ts';
import { leaderElectionMetrics } from '../../src/leaderelection/metrics.ts';
import { setRestClientMetrics } from '../../src/client/metrics.ts';
import { setWorkqueueMetrics } from '../../src/workqueue/metrics.ts';
import { setInformerMetrics } from '../../src/informer/metrics.ts';
import { setLeaderElectionMetrics } from '../../src/leaderelection/metrics.ts';

function resetProviders() {
  setRestClientMetrics(undefined);
  setWorkqueueMetrics(undefined);
  setInformerMetrics(undefined);
  setLeaderElectionMetrics(undefined);
}

test('/healthz, /livez and /readyz answer ok as text; a failing check makes them 500 and names it', async () => {
  let dbUp = true;
  const app = buildHealthServer({
    registry: createComponentRegistry({ defaultMetrics: false }),
    livenessChecks: [{ name: 'ping', check: () => undefined }],
    readinessChecks: [{ name: 'informer-sync', check: () => (dbUp ? undefined : 'caches not synced') }],
  });
  try {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await app.inject({ url: path });
      assert.equal(r.statusCode, 200, path);
      assert.equal(r.body, 'ok');
      assert.match(r.headers['content-type'] as string, /^text\/plain/);
    }
    dbUp = false;
    const r = await app.inject({ url: '/readyz' });
    assert.equal(r.statusCode, 500);
    assert.match(r.body, /\[-\]informer-sync: caches not synced/);
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'readiness does not affect liveness');
  } finally {
    await app.close();
    resetProviders();
  }
});

test('/metrics serves the machinery\'s metrics under upstream names, fed through the providers', async () => {
  const registry = createComponentRegistry();
  const app = buildHealthServer({ registry });
  try {
    const q = new RateLimitingQueue<string>({ name: 'deployment' });
    q.add('a');
    q.add('b');
    const { item } = await q.get();
    q.done(item!);
    q.addRateLimited('a');
    q.shutDown();
    new WorkQueue<string>().add('unnamed');
    restClientMetrics().requestResult('GET', '127.0.0.1:8080', '200');
    restClientMetrics().requestLatency('GET', '127.0.0.1:8080', 0.01);
    informerMetrics().list('pods');
    informerMetrics().watch('pods');
    informerMetrics().watch('pods');
    leaderElectionMetrics().leaderOn('kube-scheduler');
    const r = await app.inject({ url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    const body = r.body;
    assert.match(body, /^workqueue_depth\{name="deployment"\} 1$/m);
    assert.match(body, /^workqueue_adds_total\{name="deployment"\} 2$/m);
    assert.match(body, /^workqueue_retries_total\{name="deployment"\} 1$/m);
    assert.match(body, /^workqueue_queue_duration_seconds_count\{name="deployment"\} 1$/m);
    assert.match(body, /^workqueue_work_duration_seconds_count\{name="deployment"\} 1$/m);
    assert.match(body, /^rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:8080"\} 1$/m);
    assert.match(body, /^rest_client_request_duration_seconds_count\{verb="GET",host="127\.0\.0\.1:8080"\} 1$/m);
    assert.match(body, /^reflector_lists_total\{name="pods"\} 1$/m);
    assert.match(body, /^reflector_watches_total\{name="pods"\} 2$/m);
    assert.match(body, /^leader_election_master_status\{name="kube-scheduler"\} 1$/m);
    assert.match(body, /^process_cpu_seconds_total /m, 'default process metrics');
    assert.match(body, /^nodejs_eventloop_lag_seconds /m, 'default Node metrics');
    workqueueMetrics().depth('deployment', 0);
    assert.match((await app.inject({ url: '/metrics' })).body, /^workqueue_depth\{name="deployment"\} 0$/m);
  } finally {
    await app.close();
    resetProviders();
  }
});

test('port 0 listens on a free port and reports it', async () => {
  const app = buildHealthServer({ registry: createComponentRegistry({ defaultMetrics: false }) });
  try {
    const port = await listenHealthServer(app, '127.0.0.1', 0);
    assert.ok(port > 0);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(await res.text(), 'ok');
  } finally {
    await app.close();
    resetProviders();
  }
});
