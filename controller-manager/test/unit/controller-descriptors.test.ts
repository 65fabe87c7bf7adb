import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLER_DESCRIPTORS, enabledControllers, isControllerEnabled, validateControllers, type ControllerDescriptor } from '../../src/controller-descriptors.ts';

const names = (list: string[]) => enabledControllers(list).map((d) => d.name);

describe('--controllers', () => {
  it("'*' enables every controller on by default", () => {
    assert.deepEqual(names(['*']), CONTROLLER_DESCRIPTORS.map((d) => d.name));
  });

  it("'-name' disables one, by canonical name or alias; a name alone enables only it", () => {
    assert.ok(!names(['*', '-replicaset']).includes('replicaset-controller'));
    assert.ok(!names(['*', '-garbage-collector-controller']).includes('garbage-collector-controller'));
    assert.deepEqual(names(['deployment', 'replicaset-controller']), ['replicaset-controller', 'deployment-controller']);
    assert.deepEqual(names([]), []);
  });

  it('an explicit name wins over a later disabling and over disabled-by-default', () => {
    const off: ControllerDescriptor = { name: 'off-controller', aliases: ['off'], disabledByDefault: true, init: () => undefined };
    assert.equal(isControllerEnabled(off, ['*']), false);
    assert.equal(isControllerEnabled(off, ['*', 'off']), true);
    assert.equal(isControllerEnabled(off, ['off', '-off']), true, 'the first match decides');
  });

  it('rejects unknown names', () => {
    assert.throws(() => validateControllers(['*', '-nope']), /"nope" is not in the list of known controllers/);
    assert.doesNotThrow(() => validateControllers(['*', 'endpoint', '-nodeipam']));
  });
});
