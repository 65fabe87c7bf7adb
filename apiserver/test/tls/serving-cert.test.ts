// Which pair the secure port serves: --tls-* files, a reused or new pair in --cert-dir, or
// one kept in memory; and the errors for files it cannot serve.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERT_FILE_NAME, KEY_FILE_NAME, ServingCertError, loadServingCert, pairProblem, type ServingCertOptions } from '../../src/http/tls/serving-cert.ts';
import { generateSelfSignedCertKey } from '../../src/http/tls/self-signed-cert.ts';

let root: string;
let n = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'minik8s-serving-cert-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh directory path (not created) under the test's root. */
const freshDir = () => join(root, `d${++n}`);

function options(over: Partial<ServingCertOptions>): ServingCertOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return { certDir: freshDir(), bindAddress: '0.0.0.0', serviceIP: '10.96.0.1', warn: (m) => warnings.push(m), ...over, warnings };
}

const leafOf = (pem: string) => new X509Certificate(pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0]);

describe('loadServingCert: a generated pair in --cert-dir', () => {
  it('generates apiserver.crt (serving certificate + CA) and a private apiserver.key, for the apiserver’s names', async () => {
    const o = options({});
    const got = await loadServingCert(o);
    assert.equal(got.source, 'cert-dir-generated');
    assert.equal(got.certFile, join(o.certDir, CERT_FILE_NAME));
    assert.equal(got.keyFile, join(o.certDir, KEY_FILE_NAME));
    assert.equal(await readFile(got.certFile!, 'utf8'), got.cert);
    assert.equal(await readFile(got.keyFile!, 'utf8'), got.key);
    assert.equal((await stat(got.keyFile!)).mode & 0o777, 0o600);
    assert.equal(got.cert.match(/BEGIN CERTIFICATE/g)?.length, 2);
    const leaf = leafOf(got.cert);
    for (const ip of ['127.0.0.1', '::1', '10.96.0.1']) assert.equal(leaf.checkIP(ip), ip);
    for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
      assert.equal(leaf.checkHost(name), name);
    }
    assert.equal(leaf.checkIP('0.0.0.0'), undefined, 'an unspecified bind address is no SAN');
    assert.deepEqual(o.warnings, []);
  });

  it('adds a specific bind address to the SANs', async () => {
    const got = await loadServingCert(options({ bindAddress: '127.0.0.5' }));
    assert.equal(leafOf(got.cert).checkIP('127.0.0.5'), '127.0.0.5');
    assert.match(leafOf(got.cert).subject, /^CN=127\.0\.0\.5@\d+$/);
  });

  it('reuses a valid pair on the next start', async () => {
    const o = options({});
    const first = await loadServingCert(o);
    const second = await loadServingCert(o);
    assert.equal(second.source, 'cert-dir-reused');
    assert.equal(second.cert, first.cert);
    assert.equal(second.key, first.key);
    assert.deepEqual(o.warnings, []);
  });

  it('replaces an expired pair, with a warning', async () => {
    const o = options({});
    const first = await loadServingCert(o);
    const later = await loadServingCert({ ...o, now: () => new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000) });
    assert.equal(later.source, 'cert-dir-generated');
    assert.notEqual(later.cert, first.cert);
    assert.match(o.warnings[0] ?? '', /expired/);
  });

  it('replaces a pair that lacks a name it must answer to (a new bind address)', async () => {
    const o = options({});
    const first = await loadServingCert(o);
    const moved = await loadServingCert({ ...o, bindAddress: '127.0.0.9' });
    assert.equal(moved.source, 'cert-dir-generated');
    assert.notEqual(moved.cert, first.cert);
    assert.match(o.warnings[0] ?? '', /not valid for 127\.0\.0\.9/);
  });

  it('replaces a mismatched or garbled pair', async () => {
    const o = options({});
    await loadServingCert(o);
    await writeFile(join(o.certDir, KEY_FILE_NAME), generateSelfSignedCertKey({ host: 'localhost' }).key);
    const fixed = await loadServingCert(o);
    assert.equal(fixed.source, 'cert-dir-generated');
    assert.match(o.warnings[0] ?? '', /does not match/);
    await writeFile(join(o.certDir, CERT_FILE_NAME), 'garbage');
    assert.equal((await loadServingCert(o)).source, 'cert-dir-generated');
    assert.match(o.warnings[1] ?? '', /no PEM certificate/);
  });

  it('fails with a ServingCertError when a chosen --cert-dir cannot be written', async () => {
    const file = join(root, `file${++n}`);
    await writeFile(file, 'not a directory');
    await assert.rejects(loadServingCert(options({ certDir: join(file, 'certs') })), (err: Error) => {
      assert.ok(err instanceof ServingCertError);
      assert.match(err.message, /^--cert-dir=.*: cannot write the generated self-signed certificate: /);
      return true;
    });
  });

  it('keeps the pair in memory, with a warning, when the default --cert-dir cannot be written', async () => {
    const file = join(root, `file${++n}`);
    await writeFile(file, 'not a directory');
    const o = options({ certDir: join(file, 'certs'), certDirIsDefault: true });
    const got = await loadServingCert(o);
    assert.equal(got.source, 'memory');
    assert.equal(got.certFile, undefined);
    assert.equal(pairProblem(got.cert, got.key), undefined);
    assert.match(o.warnings[0] ?? '', /not writable.*kept in memory only/);
  });

  it('keeps the pair in memory for --cert-dir=""', async () => {
    const got = await loadServingCert(options({ certDir: '' }));
    assert.equal(got.source, 'memory');
    assert.equal(leafOf(got.cert).checkIP('10.96.0.1'), '10.96.0.1');
  });
});

describe('loadServingCert: --tls-cert-file and --tls-private-key-file', () => {
  const own = generateSelfSignedCertKey({ host: 'apiserver.example' });
  let certFile: string;
  let keyFile: string;
  before(async () => {
    certFile = join(root, 'own.crt');
    keyFile = join(root, 'own.key');
    await writeFile(certFile, own.cert);
    await writeFile(keyFile, own.key);
  });

  it('serves them as they are and writes nothing to --cert-dir', async () => {
    const o = options({ certFile, keyFile });
    const got = await loadServingCert(o);
    assert.deepEqual(got, { cert: own.cert, key: own.key, source: 'tls-files', certFile, keyFile });
    await assert.rejects(stat(o.certDir), { code: 'ENOENT' });
  });

  it('needs both', async () => {
    await assert.rejects(loadServingCert(options({ certFile })), (err: Error) => err instanceof ServingCertError && /must be given together/.test(err.message));
  });

  it('names the flag and the reason for a missing file', async () => {
    const missing = join(root, 'nope.crt');
    await assert.rejects(loadServingCert(options({ certFile: missing, keyFile })), (err: Error) => {
      assert.ok(err instanceof ServingCertError);
      assert.equal(err.message.split(':')[0], `--tls-cert-file=${missing}`);
      assert.match(err.message, /ENOENT/);
      return true;
    });
  });

  it('refuses a key of another certificate, and a file that holds no certificate', async () => {
    const otherKey = join(root, 'other.key');
    await writeFile(otherKey, generateSelfSignedCertKey({ host: 'x' }).key);
    await assert.rejects(loadServingCert(options({ certFile, keyFile: otherKey })), /the private key does not match the certificate/);
    await assert.rejects(loadServingCert(options({ certFile: keyFile, keyFile })), /no PEM certificate/);
    await assert.rejects(loadServingCert(options({ certFile, keyFile: certFile })), /the private key does not parse/);
  });
});
