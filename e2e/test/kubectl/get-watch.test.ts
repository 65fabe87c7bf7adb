// kubectl get -w: the initial Table, then one Table row per watch event, and the watch stays
// open (a closed watch would end kubectl with 0).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeEnv, type KubeEnv } from '../support/kube-env.ts';
import { AGE, cells } from '../support/table.ts';
import { pod, runningPodStatus } from '../support/manifests.ts';

let env: KubeEnv;

before(async () => {
  env = await startKubeEnv();
  await env.createNamespaces('watch');
  await env.ok(['create', '-f', '-', '-n', 'watch'], { input: pod('w1', { labels: { app: 'w' }, nodeName: 'node-1' }) });
});

after(async () => {
  await env?.stop();
});

/**
 * The complete output lines split into cells, header included. A line without its newline yet
 * is left out: kubectl may be read in the middle of writing a row.
 */
function rows(stdout: string): string[][] {
  return stdout
    .slice(0, stdout.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(cells);
}

function hasRow(stdout: string, pred: (cells: string[]) => boolean): boolean {
  return rows(stdout).some(pred);
}

describe('kubectl get pods -w', () => {
  it('prints the list, then a row for each added and modified pod, and keeps watching', async () => {
    const watch = env.spawn(['get', 'pods', '-n', 'watch', '-w']);
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'w1'), { message: 'the initial list' });
    const first = rows(watch.stdout);
    assert.deepEqual(first[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(first[1].slice(0, 4), ['w1', '0/1', 'Pending', '0']);

    await env.ok(['create', '-f', '-', '-n', 'watch'], { input: pod('w2', { labels: { app: 'w' } }) });
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'w2'), { message: 'a row for the new pod w2' });
    const added = rows(watch.stdout).find((r) => r[0] === 'w2')!;
    assert.deepEqual(added.slice(0, 4), ['w2', '0/1', 'Pending', '0']);
    assert.match(added[4], AGE);

    // The kubelet reports w1 running: a new row for w1.
    await env.writeStatus('/api/v1/namespaces/watch/pods/w1', runningPodStatus('10.244.1.2', [{ name: 'c', image: 'busybox:1.36' }]));
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'w1' && r[1] === '1/1' && r[2] === 'Running'), { message: 'a row for w1 running' });
    assert.equal(rows(watch.stdout).filter((r) => r[0] === 'NAME').length, 1, 'one header only');
    assert.equal(watch.running, true, 'the watch stays open');
    await watch.kill();
  });

  it('--output-watch-events labels each row ADDED, MODIFIED or DELETED', async () => {
    const watch = env.spawn(['get', 'pods', '-n', 'watch', '-w', '--output-watch-events']);
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'ADDED' && r[1] === 'w2'), { message: 'the initial list as ADDED rows' });
    assert.deepEqual(rows(watch.stdout)[0], ['EVENT', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);

    await env.ok(['label', 'pod', 'w2', 'touched=yes', '-n', 'watch']);
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'MODIFIED' && r[1] === 'w2'), { message: 'a MODIFIED row for w2' });

    await env.ok(['delete', 'pod', 'w2', '-n', 'watch']);
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'DELETED' && r[1] === 'w2'), { message: 'a DELETED row for w2' });
    assert.equal(watch.running, true);
    await watch.kill();
  });

  it('-w on one pod (a metadata.name field selector) shows only that pod', async () => {
    const watch = env.spawn(['get', 'pod', 'w1', '-n', 'watch', '-w']);
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'w1'), { message: 'the initial row of w1' });
    await env.ok(['create', '-f', '-', '-n', 'watch'], { input: pod('w3') });
    await env.ok(['label', 'pod', 'w1', 'seen=1', '-n', 'watch']);
    // Events arrive in order: once the w1 change is in, a w3 row would have come before it.
    await watch.waitForOutput((s) => rows(s).filter((r) => r[0] === 'w1').length >= 2, { message: 'a second row for w1' });
    assert.ok(!hasRow(watch.stdout, (r) => r[0] === 'w3'), watch.stdout);
    assert.equal(watch.running, true);
    await watch.kill();
  });

  it('-w -A watches every namespace with a NAMESPACE column', async () => {
    await env.createNamespaces('watch-2');
    const watch = env.spawn(['get', 'pods', '-A', '-w', '-l', 'app=w2']);
    // Nothing matches yet: kubectl says so on stderr and waits.
    await env.ok(['create', '-f', '-', '-n', 'watch-2'], { input: pod('x1', { labels: { app: 'w2' } }) });
    await watch.waitForOutput((s) => hasRow(s, (r) => r[0] === 'watch-2' && r[1] === 'x1'), { message: 'a row for watch-2/x1' });
    assert.equal(watch.running, true);
    await watch.kill();
  });
});
