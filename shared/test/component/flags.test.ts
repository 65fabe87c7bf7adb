import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonOptions, componentCommand } from '../../src/component/flags.ts';
import { createLogger, levelForVerbosity } from '../../src/component/logger.ts';
import { Writable } from 'node:stream';

function parse(argv: string[]) {
  const cmd = componentCommand('kube-scheduler', { port: 10259 }).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(argv, { from: 'user' });
  return commonOptions(cmd);
}

test('defaults are upstream\'s', () => {
  assert.deepEqual(parse([]), {
    kubeconfig: undefined,
    master: undefined,
    v: 0,
    leaderElect: true,
    leaderElectLeaseDuration: 15_000,
    leaderElectRenewDeadline: 10_000,
    leaderElectRetryPeriod: 2_000,
    leaderElectResourceName: 'kube-scheduler',
    leaderElectResourceNamespace: 'kube-system',
    bindAddress: '0.0.0.0',
    port: 10259,
    kubeApiQps: 50,
    kubeApiBurst: 100,
  });
});

test('flags parse with upstream syntax: durations, booleans, --v, port 0', () => {
  const o = parse([
    '--master=http://127.0.0.1:8080',
    '--kubeconfig', '/tmp/kc',
    '--v=4',
    '--leader-elect=false',
    '--leader-elect-lease-duration=1m30s',
    '--leader-elect-renew-deadline=500ms',
    '--leader-elect-retry-period', '100ms',
    '--leader-elect-resource-name=my-lease',
    '--leader-elect-resource-namespace=other',
    '--bind-address=127.0.0.1',
    '--port=0',
    '--kube-api-qps=5.5',
    '--kube-api-burst=7',
  ]);
  assert.equal(o.master, 'http://127.0.0.1:8080');
  assert.equal(o.kubeconfig, '/tmp/kc');
  assert.equal(o.v, 4);
  assert.equal(o.leaderElect, false);
  assert.equal(o.leaderElectLeaseDuration, 90_000);
  assert.equal(o.leaderElectRenewDeadline, 500);
  assert.equal(o.leaderElectRetryPeriod, 100);
  assert.equal(o.leaderElectResourceName, 'my-lease');
  assert.equal(o.leaderElectResourceNamespace, 'other');
  assert.equal(o.bindAddress, '127.0.0.1');
  assert.equal(o.port, 0);
  assert.equal(o.kubeApiQps, 5.5);
  assert.equal(o.kubeApiBurst, 7);
  assert.equal(parse(['--leader-elect']).leaderElect, true);
});

test('bad values are refused', () => {
  assert.throws(() => parse(['--leader-elect-lease-duration=15']), /missing unit/);
  assert.throws(() => parse(['--port=70000']), /out of range/);
  assert.throws(() => parse(['--leader-elect=maybe']), /invalid boolean/);
  assert.throws(() => parse(['--v=x']), /invalid integer/);
  assert.throws(() => parse(['--leader-elect-lease-duration=5s']), /lease-duration must be greater than --leader-elect-renew-deadline/);
  assert.throws(() => parse(['--leader-elect-retry-period=10s']), /renew-deadline must be greater than --leader-elect-retry-period/);
  // timings are not checked when leader election is off
  assert.equal(parse(['--leader-elect=false', '--leader-elect-retry-period=1m']).leaderElectRetryPeriod, 60_000);
});

test('every flag has help text', () => {
  const cmd = componentCommand('kube-controller-manager', { port: 10257 });
  for (const o of cmd.options) assert.ok(o.description && o.description.length > 10, `${o.long} has help`);
  const help = cmd.helpInformation();
  for (const f of ['--kubeconfig', '--master', '--v', '--leader-elect ', '--leader-elect-lease-duration', '--leader-elect-renew-deadline', '--leader-elect-retry-period', '--leader-elect-resource-name', '--leader-elect-resource-namespace', '--bind-address', '--port', '--kube-api-qps', '--kube-api-burst']) {
    assert.ok(help.includes(f), `help lists ${f}`);
  }
  assert.match(help, /default: 10257/);
});

test('--v selects the log level: 0 info, 4 debug, 6 trace', () => {
  assert.deepEqual([0, 3, 4, 5, 6, 9].map(levelForVerbosity), ['info', 'info', 'debug', 'debug', 'trace', 'trace']);
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger('kube-proxy', 4, sink);
  log.debug('shown');
  log.trace('hidden');
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.msg, 'shown');
  assert.equal(rec.component, 'kube-proxy');
});
