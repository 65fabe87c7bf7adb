import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWatchStream } from '../../src/client/watch-decoder.ts';
import { StatusError, isExpired } from '../../src/api/status-error.ts';

async function* chunks(parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(parts: (string | Uint8Array)[]) {
  const out = [];
  for await (const ev of decodeWatchStream(chunks(parts))) out.push(ev);
  return out;
}

const pod = (name: string, rv: string) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'default', resourceVersion: rv } });
const line = (type: string, obj: unknown) => JSON.stringify({ type, object: obj }) + '\n';

test('events split at every possible position across chunks decode the same', async () => {
  const text = line('ADDED', pod('a', '1')) + line('MODIFIED', pod('a', '2')) + '\n' + line('DELETED', pod('a', '3'));
  const whole = await collect([text]);
  assert.deepEqual(whole.map((e) => [e.type, e.object.metadata.resourceVersion]), [['ADDED', '1'], ['MODIFIED', '2'], ['DELETED', '3']]);
  for (let i = 1; i < text.length; i++) {
    assert.deepEqual(await collect([text.slice(0, i), text.slice(i)]), whole, `split at ${i}`);
  }
  // one byte at a time
  assert.deepEqual(await collect([...text]), whole);
});

test('a multi-byte character split between chunks survives', async () => {
  const bytes = new TextEncoder().encode(line('ADDED', { ...pod('a', '1'), metadata: { name: 'a', annotations: { note: 'héllo ✓' } } }));
  const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte check mark
  const [ev] = await collect([bytes.slice(0, cut), bytes.slice(cut)]);
  assert.equal(ev.object.metadata.annotations?.note, 'héllo ✓');
});

test('a BOOKMARK is an event with only a resourceVersion', async () => {
  const [ev] = await collect([line('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '42' } })]);
  assert.equal(ev.type, 'BOOKMARK');
  assert.equal(ev.object.metadata.resourceVersion, '42');
});

test('an ERROR 410 event is thrown as an expired StatusError after the events before it', async () => {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 5 (10)', reason: 'Expired', code: 410 };
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const ev of decodeWatchStream(chunks([line('ADDED', pod('a', '11')), line('ERROR', status), line('ADDED', pod('b', '12'))]))) {
        seen.push(ev.object.metadata.name!);
      }
    },
    (err: unknown) => err instanceof StatusError && isExpired(err) && err.reason === 'Expired' && err.message === 'too old resource version: 5 (10)',
  );
  assert.deepEqual(seen, ['a']);
});

test('a last line without newline counts when complete, and is dropped when cut off', async () => {
  const l = line('ADDED', pod('a', '1')).trim();
  assert.equal((await collect([l])).length, 1);
  assert.equal((await collect([line('ADDED', pod('a', '1')), l.slice(0, 20)])).length, 1);
});

test('garbage on the stream is an error', async () => {
  await assert.rejects(collect(['not json\n']), /undecodable/);
  await assert.rejects(collect(['{"type":"WHAT","object":{}}\n']), /malformed/);
});
