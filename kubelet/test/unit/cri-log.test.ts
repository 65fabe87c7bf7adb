import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CriLogWriter, MAX_LINE_BYTES, criTimestamp, parseCriLine, readCriLog } from '../../src/runtime/logs/cri-log.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelet-cri-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(path: string, opts: Parameters<typeof readCriLog>[1]): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await readCriLog(path, opts, out);
  return text;
}

describe('CRI log files', () => {
  test('the writer splits streams into records; the reader gives back the text', async () => {
    const path = join(dir, 'a.log');
    let now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const w = new CriLogWriter(path, () => now);
    w.write('stdout', Buffer.from('one\ntw'));
    w.write('stderr', Buffer.from('err\n'));
    now += 1000;
    w.write('stdout', Buffer.from('o\nthree'));
    await w.end();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(lines, [
      '2026-01-01T00:00:00.000000000Z stdout F one',
      '2026-01-01T00:00:00.000000001Z stderr F err',
      '2026-01-01T00:00:01.000000000Z stdout F two',
      '2026-01-01T00:00:01.000000001Z stdout F three',
    ]);
    assert.equal(await read(path, { follow: false, timestamps: false }), 'one\nerr\ntwo\nthree\n');
    assert.equal(await read(path, { follow: false, timestamps: false, tailLines: 2 }), 'two\nthree\n');
    assert.equal(await read(path, { follow: false, timestamps: false, tailLines: 0 }), '');
    assert.equal(await read(path, { follow: false, timestamps: true, tailLines: 1 }), '2026-01-01T00:00:01.000000001Z three\n');
    assert.equal(await read(path, { follow: false, timestamps: false, sinceTime: Date.UTC(2026, 0, 1, 0, 0, 1) }), 'two\nthree\n');
    assert.equal(await read(path, { follow: false, timestamps: false, limitBytes: 6 }), 'one\ner');
  });

  test('a line longer than the limit becomes partial records that read back as one line', async () => {
    const path = join(dir, 'long.log');
    const w = new CriLogWriter(path);
    const long = 'x'.repeat(MAX_LINE_BYTES + 10);
    w.write('stdout', Buffer.from(`${long}\nshort\n`));
    await w.end();
    const recs = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => parseCriLine(Buffer.from(l))!);
    assert.deepEqual(recs.map((r) => r.partial), [true, false, false]);
    assert.equal(await read(path, { follow: false, timestamps: false }), `${long}\nshort\n`);
  });

  test('follow streams new records until the writer is gone', async () => {
    const path = join(dir, 'follow.log');
    await appendFile(path, `${criTimestamp(Date.now())} stdout F first\n`);
    let running = true;
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => {
      chunks.push(d.toString());
      if (chunks.length === 1) {
        // The first record arrived: write another one, then stop the "container".
        void appendFile(path, `${criTimestamp(Date.now())} stdout F second\n`).then(() => {
          running = false;
        });
      }
    });
    await readCriLog(path, { follow: true, timestamps: false, pollIntervalMs: 20, isRunning: () => running }, out);
    assert.equal(chunks.join(''), 'first\nsecond\n');
  });

  test('follow ends when its signal aborts', async () => {
    const path = join(dir, 'abort.log');
    await appendFile(path, `${criTimestamp(Date.now())} stdout F only\n`);
    const ac = new AbortController();
    const out = new PassThrough();
    out.on('data', () => ac.abort());
    await readCriLog(path, { follow: true, timestamps: false, pollIntervalMs: 20, isRunning: () => true, signal: ac.signal }, out);
    assert.equal(ac.signal.aborted, true);
  });
});
