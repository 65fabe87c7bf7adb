// The certificate and key the secure port serves, chosen as kube-apiserver chooses them
// (SecureServingOptions.MaybeDefaultWithSelfSignedCerts):
//  1. --tls-cert-file and --tls-private-key-file, when given, are served as they are;
//  2. else <cert-dir>/apiserver.crt and apiserver.key are reused when they hold a valid pair;
//  3. else a self-signed CA and serving certificate are generated and written there
//     (or kept in memory only, when the cert dir is "" or the default one is not writable).
// Unlike upstream, a pair in the cert dir that is unreadable as a pair, expired, or missing a
// name this server must answer to (a changed --bind-address) is replaced, with a warning.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generateSelfSignedCertKey } from './self-signed-cert.ts';

/** The file names in --cert-dir (upstream's PairName "apiserver"). */
export const CERT_FILE_NAME = 'apiserver.crt';
export const KEY_FILE_NAME = 'apiserver.key';

/** DNS names of the apiserver inside the cluster (the `kubernetes` Service in `default`). */
export const KUBERNETES_SERVICE_DNS_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'] as const;

export interface ServingCertOptions {
  /** --tls-cert-file: PEM, the server certificate first, then any intermediates. */
  certFile?: string;
  /** --tls-private-key-file: the PEM key of the certificate in certFile. */
  keyFile?: string;
  /** --cert-dir; "" keeps a generated pair in memory only. */
  certDir: string;
  /**
   * True when certDir is the default rather than the user's choice: then a directory that
   * cannot be written only costs the files (the pair is kept in memory, with a warning), where
   * a chosen one is an error.
   */
  certDirIsDefault?: boolean;
  /** --bind-address: a SAN unless unspecified (0.0.0.0, ::), when "localhost" stands in, as upstream. */
  bindAddress: string;
  /** The first IP of --service-cluster-ip-range (10.96.0.1), where pods reach the apiserver. */
  serviceIP: string;
  now?: () => Date;
  /** Told why a pair in the cert dir was replaced, or why a generated one is not written. */
  warn?: (message: string) => void;
}

export interface ServingCert {
  /** PEM chain: the serving certificate first. */
  cert: string;
  /** PEM private key. */
  key: string;
  /** Where the pair comes from: the --tls-* files, reused or newly written cert-dir files, or memory. */
  source: 'tls-files' | 'cert-dir-reused' | 'cert-dir-generated' | 'memory';
  /** The files served (none for 'memory'). */
  certFile?: string;
  keyFile?: string;
}

/** A configuration the apiserver cannot serve with: its message names the flag and says why. */
export class ServingCertError extends Error {
  override name = 'ServingCertError';
}

/** Resolves the pair to serve (steps above). Rejects with a ServingCertError for bad flags or files. */
export async function loadServingCert(opts: ServingCertOptions): Promise<ServingCert> {
  const now = opts.now ?? (() => new Date());
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new ServingCertError('--tls-cert-file and --tls-private-key-file must be given together');
    const cert = await readFlagFile('--tls-cert-file', opts.certFile);
    const key = await readFlagFile('--tls-private-key-file', opts.keyFile);
    const problem = pairProblem(cert, key);
    if (problem) throw new ServingCertError(`--tls-cert-file=${opts.certFile} with --tls-private-key-file=${opts.keyFile}: ${problem}`);
    return { cert, key, source: 'tls-files', certFile: opts.certFile, keyFile: opts.keyFile };
  }

  const alternateIPs = ['127.0.0.1', '::1', opts.serviceIP];
  const alternateDNS: string[] = [...KUBERNETES_SERVICE_DNS_NAMES, 'localhost'];
  const unspecified = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::';
  if (!unspecified) {
    if (isIPv4(opts.bindAddress) || isIPv6(opts.bindAddress)) alternateIPs.push(opts.bindAddress);
    else alternateDNS.push(opts.bindAddress);
  }

  if (opts.certDir === '') return { ...generate(), source: 'memory' };

  const certFile = join(opts.certDir, CERT_FILE_NAME);
  const keyFile = join(opts.certDir, KEY_FILE_NAME);
  const existing = await readPair(certFile, keyFile);
  if (existing) {
    const problem = pairProblem(existing.cert, existing.key, { now: now(), ips: alternateIPs, dnsNames: alternateDNS });
    if (!problem) return { ...existing, source: 'cert-dir-reused', certFile, keyFile };
    opts.warn?.(`replacing ${certFile} and ${keyFile}: ${problem}`);
  }

  const generated = generate();
  try {
    await mkdir(opts.certDir, { recursive: true, mode: 0o755 });
    // Key first, each through a rename: a crash in between leaves a mismatched pair, which the
    // next start detects and replaces, never a half-written file.
    await writeAtomically(keyFile, generated.key, 0o600);
    await writeAtomically(certFile, generated.cert, 0o644);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (!opts.certDirIsDefault) throw new ServingCertError(`--cert-dir=${opts.certDir}: cannot write the generated self-signed certificate: ${why}`);
    opts.warn?.(`the default --cert-dir=${opts.certDir} is not writable (${why}): the self-signed certificate is kept in memory only, so its CA is not available to clients; pass --cert-dir to keep it`);
    return { ...generated, source: 'memory' };
  }
  return { ...generated, source: 'cert-dir-generated', certFile, keyFile };

  function generate(): { cert: string; key: string } {
    // The host names both certificates, as upstream's publicAddress: the bind address when it is one.
    const host = unspecified ? 'localhost' : opts.bindAddress;
    const { cert, key } = generateSelfSignedCertKey({ host, alternateIPs, alternateDNS, now: now() });
    return { cert, key };
  }
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ServingCertError(`${flag}=${path}: cannot read it: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Both files of a generated pair, or undefined when either is missing or unreadable. */
async function readPair(certFile: string, keyFile: string): Promise<{ cert: string; key: string } | undefined> {
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * Why `cert` and `key` cannot be served, or undefined when they can: a certificate and a key
 * that parse, belong together and make a TLS context. With `wanted`, also not expired and
 * valid for every IP and DNS name listed.
 */
export function pairProblem(cert: string, key: string, wanted?: { now: Date; ips: string[]; dnsNames: string[] }): string | undefined {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(cert);
  if (!first) return 'no PEM certificate (-----BEGIN CERTIFICATE-----) in the certificate file';
  let leaf: X509Certificate;
  let privateKey: KeyObject;
  try {
    leaf = new X509Certificate(first[0]);
  } catch (err) {
    return `the certificate does not parse: ${(err as Error).message}`;
  }
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    return `the private key does not parse: ${(err as Error).message}`;
  }
  if (!leaf.checkPrivateKey(privateKey)) return 'the private key does not match the certificate';
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    return `TLS rejects the pair: ${(err as Error).message}`;
  }
  if (!wanted) return undefined;
  if (new Date(leaf.validTo).getTime() <= wanted.now.getTime()) return `the certificate expired on ${leaf.validTo}`;
  const missing = [...wanted.ips.filter((ip) => leaf.checkIP(ip) === undefined), ...wanted.dnsNames.filter((n) => leaf.checkHost(n, { wildcards: false }) === undefined)];
  if (missing.length > 0) return `the certificate is not valid for ${missing.join(', ')}`;
  return undefined;
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}
