import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FitError, newDiagnosis } from '../../src/framework/fit-error.ts';
import { newStatus } from '../../src/framework/status.ts';

test('the message counts reasons over nodes and sorts the entries as strings', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set('node-1', newStatus('Unschedulable', 'Insufficient cpu'));
  d.nodeToStatus.set('node-2', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }'));
  d.nodeToStatus.set('node-3', newStatus('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }'));
  d.postFilterMsg = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  assert.equal(
    new FitError(3, d).message(),
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
});

test('a node with several reasons counts each; "10 x" sorts before "2 y" as in Go', () => {
  const d = newDiagnosis();
  for (let i = 0; i < 10; i++) d.nodeToStatus.set(`a${i}`, newStatus('Unschedulable', 'Insufficient memory'));
  d.nodeToStatus.set('b', newStatus('Unschedulable', 'Insufficient cpu', 'Insufficient memory'));
  d.nodeToStatus.set('c', newStatus('Unschedulable', 'Insufficient cpu'));
  assert.equal(new FitError(12, d).message(), '0/12 nodes are available: 11 Insufficient memory, 2 Insufficient cpu.');
});

test('a PreFilter rejection replaces the histogram; absent nodes count with the absent status', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set('n1', newStatus('Unschedulable', 'x'));
  d.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
  assert.equal(new FitError(2, d).message(), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');

  const e = newDiagnosis();
  e.nodeToStatus.set('n1', newStatus('UnschedulableAndUnresolvable', 'No preemption victims found for incoming pod'));
  e.absentNodesStatus = newStatus('UnschedulableAndUnresolvable', 'Preemption is not helpful for scheduling');
  assert.equal(
    new FitError(3, e).message(),
    '0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
});
