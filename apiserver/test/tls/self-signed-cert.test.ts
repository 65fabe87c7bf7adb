// The generated CA and serving certificate as Node's own X.509 parser and TLS stack read them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { generateSelfSignedCertKey, ipAddressBytes } from '../../src/http/tls/self-signed-cert.ts';

const NOW = new Date('2030-06-15T12:00:00Z');
const generated = generateSelfSignedCertKey({
  host: 'localhost',
  alternateIPs: ['127.0.0.1', '10.96.0.1', '::1'],
  alternateDNS: ['kubernetes', 'kubernetes.default.svc.cluster.local', 'localhost'],
  now: NOW,
});

function certificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? []).map((b) => new X509Certificate(b));
}

describe('generateSelfSignedCertKey', () => {
  const [leaf, chainCA] = certificates(generated.cert);
  const ca = new X509Certificate(generated.ca);

  it('writes the serving certificate, then its CA, as the cert chain', () => {
    assert.equal(certificates(generated.cert).length, 2);
    assert.equal(chainCA!.fingerprint256, ca.fingerprint256);
  });

  it('names both after the host and the generation time, as upstream', () => {
    const unix = NOW.getTime() / 1000;
    assert.equal(ca.subject, `CN=localhost-ca@${unix}`);
    assert.equal(ca.issuer, ca.subject);
    assert.equal(leaf!.subject, `CN=localhost@${unix}`);
    assert.equal(leaf!.issuer, ca.subject);
  });

  it('is valid from an hour before now for a year', () => {
    assert.equal(new Date(leaf!.validFrom).toISOString(), '2030-06-15T11:00:00.000Z');
    assert.equal(new Date(leaf!.validTo).toISOString(), '2031-06-15T12:00:00.000Z');
    assert.equal(new Date(ca.validTo).toISOString(), '2031-06-15T12:00:00.000Z');
  });

  it('signs the serving certificate with the CA, and the CA with itself', () => {
    assert.equal(leaf!.verify(ca.publicKey), true);
    assert.equal(leaf!.checkIssued(ca), true);
    assert.equal(ca.verify(ca.publicKey), true);
    assert.equal(leaf!.verify(leaf!.publicKey), false, 'the serving certificate is not self-signed');
    assert.equal(ca.ca, true);
    assert.equal(leaf!.ca, false);
  });

  it('gives the serving certificate the private key, and serverAuth', () => {
    assert.equal(leaf!.checkPrivateKey(createPrivateKey(generated.key)), true);
    assert.equal(ca.checkPrivateKey(createPrivateKey(generated.key)), false);
    assert.deepEqual(leaf!.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(leaf!.publicKey.asymmetricKeyType, 'ec');
    assert.equal(leaf!.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('lists the host and every alternate once as SANs', () => {
    assert.equal(
      leaf!.subjectAltName,
      'DNS:localhost, DNS:kubernetes, DNS:kubernetes.default.svc.cluster.local, IP Address:127.0.0.1, IP Address:10.96.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    assert.equal(leaf!.checkHost('kubernetes.default.svc.cluster.local'), 'kubernetes.default.svc.cluster.local');
    assert.equal(leaf!.checkHost('example.com'), undefined);
    assert.equal(leaf!.checkIP('10.96.0.1'), '10.96.0.1');
    assert.equal(leaf!.checkIP('::1'), '::1');
    assert.equal(leaf!.checkIP('10.96.0.2'), undefined);
  });

  it('puts an IP host in the IP SANs', () => {
    const byIP = generateSelfSignedCertKey({ host: '192.168.7.9' });
    const [cert] = certificates(byIP.cert);
    assert.equal(cert!.subjectAltName, 'IP Address:192.168.7.9');
    assert.match(cert!.subject, /^CN=192\.168\.7\.9@\d+$/);
  });

  it('never repeats a serial number or a key', () => {
    const again = generateSelfSignedCertKey({ host: 'localhost', now: NOW });
    const [other] = certificates(again.cert);
    assert.notEqual(other!.serialNumber, leaf!.serialNumber);
    assert.notEqual(again.key, generated.key);
    assert.match(leaf!.serialNumber, /^[0-7][0-9A-F]{31}$/, '128 bits, positive');
  });

  it('refuses an alternate IP that is not one', () => {
    assert.throws(() => generateSelfSignedCertKey({ host: 'localhost', alternateIPs: ['kubernetes'] }), /not an IP address/);
  });
});

describe('the generated pair over TLS', () => {
  // Valid now, so the TLS client's date check passes.
  const pair = generateSelfSignedCertKey({ host: 'localhost', alternateIPs: ['127.0.0.1'], alternateDNS: ['kubernetes.default'] });

  async function handshake(connect: Omit<tls.ConnectionOptions, 'port' | 'host'>): Promise<string> {
    const server = tls.createServer({ cert: pair.cert, key: pair.key }, (s) => s.end('hello'));
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ...connect });
      return await new Promise<string>((resolve, reject) => {
        let data = '';
        socket.on('error', reject);
        socket.setEncoding('utf8').on('data', (d: string) => (data += d));
        socket.on('end', () => resolve(data));
      });
    } finally {
      server.close();
    }
  }

  it('is trusted by a client given the CA, for the loopback IP and the SAN names', async () => {
    assert.equal(await handshake({ ca: pair.ca }), 'hello');
    assert.equal(await handshake({ ca: pair.ca, servername: 'localhost' }), 'hello');
    assert.equal(await handshake({ ca: pair.ca, servername: 'kubernetes.default' }), 'hello');
  });

  it('is rejected without the CA, and for a name it does not list', async () => {
    await assert.rejects(handshake({}), (err: NodeJS.ErrnoException) => err.code === 'SELF_SIGNED_CERT_IN_CHAIN');
    await assert.rejects(handshake({ ca: pair.ca, servername: 'example.com' }), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('ipAddressBytes', () => {
  it('encodes IPv4 in 4 bytes and IPv6 in 16, expanding ::', () => {
    assert.equal(ipAddressBytes('10.96.0.1').toString('hex'), '0a600001');
    assert.equal(ipAddressBytes('::1').toString('hex'), `${'0'.repeat(30)}01`);
    assert.equal(ipAddressBytes('::').toString('hex'), '0'.repeat(32));
    assert.equal(ipAddressBytes('fd00:10:96::1').toString('hex'), 'fd000010009600000000000000000001');
    assert.equal(ipAddressBytes('2001:db8:0:0:1:0:0:1').toString('hex'), '20010db8000000000001000000000001');
    assert.equal(ipAddressBytes('::ffff:192.0.2.128').toString('hex'), '00000000000000000000ffffc0000280');
    assert.throws(() => ipAddressBytes('localhost'), /not an IP address/);
  });
});
