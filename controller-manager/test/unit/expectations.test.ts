import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '@minik8s/shared';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from '../../src/util/expectations.ts';

describe('controller expectations', () => {
  it('a controller never seen is satisfied; creations must all be observed', () => {
    const e = new ControllerExpectations(new FakeClock());
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
    e.creationObserved('ns/rs'); // an extra observation does not go negative
    assert.deepEqual(e.get('ns/rs'), { add: 0, del: 0 });
  });

  it('a deletion counts once per pod, whichever event shows it', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a'); // update with deletionTimestamp
    e.deletionObserved('ns/rs', 'ns/a'); // then the delete event
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/other'); // not one we deleted
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/b');
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });

  it('unmet expectations stop blocking after the timeout', async () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/rs', 1);
    await clock.step(EXPECTATIONS_TIMEOUT_MS);
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    await clock.step(1);
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
    e.deleteExpectations('ns/rs');
    assert.equal(e.get('ns/rs'), undefined);
  });
});
