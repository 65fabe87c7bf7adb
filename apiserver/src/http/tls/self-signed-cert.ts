// A self-signed CA and a serving certificate it signs, as kube-apiserver generates them when it
// is given no --tls-cert-file (client-go's certutil.GenerateSelfSignedCertKeyWithFixtures):
// both valid from an hour ago (clock skew) for one year, the CA named "<host>-ca@<unix time>",
// the serving certificate "<host>@<unix time>" with the host and the alternate names as SANs.
//
// Keys are ECDSA P-256 signed with SHA-256 (upstream uses RSA 2048; P-256 is as widely accepted
// by TLS clients, kubectl included, and takes microseconds to generate instead of ~100 ms).
// The X.509 structures (RFC 5280 4.1) are written with der.ts; Node only makes keys and signs.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBitString,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  time,
  utf8String,
} from './der.ts';

export interface SelfSignedCertOptions {
  /** The host the certificate is for: a SAN itself (IP or DNS name) and the start of both common names. */
  host: string;
  /** More IP addresses (v4 or v6) the serving certificate is valid for. */
  alternateIPs?: readonly string[];
  /** More DNS names the serving certificate is valid for. */
  alternateDNS?: readonly string[];
  /** The generation time. Default now. */
  now?: Date;
  /** How long both certificates are valid from `now`. Default one year, as upstream. */
  validityMs?: number;
}

export interface SelfSignedCertKey {
  /** PEM: the serving certificate, then the CA certificate (the chain a TLS server sends; upstream writes apiserver.crt so). */
  cert: string;
  /** PEM (SEC 1 "EC PRIVATE KEY"): the serving certificate's private key. The CA's key is not kept: nothing else is ever signed with it. */
  key: string;
  /** PEM: the CA certificate alone, what clients trust (kubeconfig certificate-authority-data). */
  ca: string;
}

const ONE_HOUR_MS = 60 * 60 * 1000;
const ONE_YEAR_MS = 365 * 24 * ONE_HOUR_MS;

/** Object identifiers (RFC 5280, RFC 5758, X.520). */
const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** keyUsage bit numbers (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5 } as const;

/**
 * Generates the CA and the serving certificate. The serving certificate's SANs are the host
 * plus the alternates (IPs as iPAddress, names as dNSName, duplicates dropped); it says
 * CA:false, digitalSignature, extKeyUsage serverAuth. The CA says CA:true, keyCertSign.
 */
export function generateSelfSignedCertKey(opts: SelfSignedCertOptions): SelfSignedCertKey {
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - ONE_HOUR_MS);
  const notAfter = new Date(now.getTime() + (opts.validityMs ?? ONE_YEAR_MS));
  const unixTime = Math.floor(now.getTime() / 1000);

  const ips = new Set<string>();
  const dnsNames = new Set<string>();
  if (isIPv4(opts.host) || isIPv6(opts.host)) ips.add(opts.host);
  else dnsNames.add(opts.host);
  for (const ip of opts.alternateIPs ?? []) {
    if (!isIPv4(ip) && !isIPv6(ip)) throw new TypeError(`not an IP address: ${ip}`);
    ips.add(ip);
  }
  for (const name of opts.alternateDNS ?? []) dnsNames.add(name);

  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = distinguishedName(`${opts.host}-ca@${unixTime}`);
  const caKeyId = keyIdentifier(caKeys.publicKey);
  const caDer = signCertificate({
    serial: serialNumber(),
    issuer: caName,
    subject: caName,
    notBefore,
    notAfter,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, namedBitString([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign])),
      extension(OID.subjectKeyIdentifier, false, octetString(caKeyId)),
    ],
  });

  const servingKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const servingDer = signCertificate({
    serial: serialNumber(),
    issuer: caName,
    subject: distinguishedName(`${opts.host}@${unixTime}`),
    notBefore,
    notAfter,
    publicKey: servingKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      // An empty SEQUENCE: cA defaults to FALSE, and DER leaves defaults out.
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBitString([KEY_USAGE.digitalSignature])),
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(servingKeys.publicKey))),
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
      extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, caKeyId))),
      extension(OID.subjectAltName, false, subjectAltNames([...dnsNames], [...ips])),
    ],
  });

  const ca = pem('CERTIFICATE', caDer);
  return {
    cert: pem('CERTIFICATE', servingDer) + ca,
    key: servingKeys.privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    ca,
  };
}

interface CertificateFields {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * where the signature is over the DER of tbsCertificate (RFC 5280 4.1.1).
 */
function signCertificate(f: CertificateFields): Buffer {
  // ecdsa-with-SHA256 has no parameters: the AlgorithmIdentifier is the OID alone (RFC 5758 3.2).
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSHA256));
  const tbs = sequence(
    explicit(0, integer(2)), // version: v3 (encoded as 2)
    integer(f.serial),
    algorithm, // must equal signatureAlgorithm below
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    // SubjectPublicKeyInfo exactly as Node exports it: algorithm (id-ecPublicKey, P-256) and the point.
    f.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...f.extensions)),
  );
  // Node's ECDSA signature is DER's Ecdsa-Sig-Value { r, s }, the form X.509 wants.
  const signature = sign('sha256', tbs, f.signingKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName; here one RDN holding CN=<commonName>. */
function distinguishedName(commonName: string): Buffer {
  return sequence(setOf(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING (the DER of the value) }. */
function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(objectIdentifier(oid), boolean(true), octetString(value)) : sequence(objectIdentifier(oid), octetString(value));
}

/** GeneralNames: dNSName is [2] IMPLICIT IA5String, iPAddress [7] IMPLICIT OCTET STRING of 4 or 16 bytes. */
function subjectAltNames(dnsNames: string[], ips: string[]): Buffer {
  return sequence(...dnsNames.map((n) => implicitPrimitive(2, Buffer.from(n, 'ascii'))), ...ips.map((ip) => implicitPrimitive(7, ipAddressBytes(ip))));
}

/** RFC 5280's first method: the SHA-1 of the subjectPublicKey bits (for P-256, the uncompressed point 04 || x || y). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

/** 128 random bits, positive and without a leading zero byte (RFC 5280 allows up to 20 octets). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

/** The network-order bytes of an IPv4 (4) or IPv6 (16) address; IPv6 may use `::` and a dotted IPv4 tail. */
export function ipAddressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new TypeError(`not an IP address: ${ip}`);
  let text = ip.replace(/%.*$/, ''); // a zone (fe80::1%eth0) is not part of the address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
