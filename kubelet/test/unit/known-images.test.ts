// The base images the process runtime knows, and how a container's command line is resolved
// against an image's entrypoint and cmd (CRI: command replaces the entrypoint, args the cmd).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containerCommandLine, knownImage } from '../../src/runtime/process/known-images.ts';

describe('knownImage', () => {
  for (const ref of ['busybox', 'busybox:1.36', 'busybox:latest', 'library/busybox', 'docker.io/library/busybox:1.36', 'index.docker.io/library/busybox', `busybox@sha256:${'a'.repeat(64)}`, `busybox:1.36@sha256:${'a'.repeat(64)}`]) {
    test(`${ref} is busybox`, () => {
      assert.deepEqual(knownImage(ref), { entrypoint: [], cmd: ['sh'], busybox: true });
    });
  }
  for (const ref of ['nginx', 'me/busybox', 'quay.io/prometheus/busybox', 'localhost/busybox', 'registry:5000/busybox:1.36', 'busyboxes', 'docker.io/me/busybox']) {
    test(`${ref} is not known`, () => {
      assert.equal(knownImage(ref), undefined);
    });
  }
  test('alpine, debian and ubuntu have their own cmd; only alpine is a busybox userland', () => {
    assert.deepEqual(knownImage('alpine:3.20'), { entrypoint: [], cmd: ['/bin/sh'], busybox: true });
    assert.deepEqual(knownImage('debian:bookworm-slim'), { entrypoint: [], cmd: ['bash'], busybox: false });
    assert.deepEqual(knownImage('ubuntu'), { entrypoint: [], cmd: ['/bin/bash'], busybox: false });
  });
  test('does not see inherited properties as images', () => {
    assert.equal(knownImage('constructor'), undefined);
    assert.equal(knownImage('toString'), undefined);
  });
});

describe('containerCommandLine', () => {
  const busybox = knownImage('busybox');
  const withEntrypoint = { entrypoint: ['/entry'], cmd: ['--serve'], busybox: false };
  test('a command runs with its args and never with the image cmd', () => {
    assert.deepEqual(containerCommandLine(['sleep'], ['10'], busybox), ['sleep', '10']);
    assert.deepEqual(containerCommandLine(['sleep', '10'], [], withEntrypoint), ['sleep', '10']);
    assert.deepEqual(containerCommandLine(['true'], [], undefined), ['true']);
  });
  test('args alone follow the entrypoint (none for busybox), replacing the cmd', () => {
    assert.deepEqual(containerCommandLine([], ['sh', '-c', 'echo hi'], busybox), ['sh', '-c', 'echo hi']);
    assert.deepEqual(containerCommandLine([], ['--port=1'], withEntrypoint), ['/entry', '--port=1']);
  });
  test('neither: the entrypoint and the cmd', () => {
    assert.deepEqual(containerCommandLine([], [], busybox), ['sh']);
    assert.deepEqual(containerCommandLine([], [], withEntrypoint), ['/entry', '--serve']);
  });
  test('an unknown image without a command has nothing to run', () => {
    assert.equal(containerCommandLine([], [], undefined), undefined);
    assert.equal(containerCommandLine([], ['x'], undefined), undefined);
  });
});
