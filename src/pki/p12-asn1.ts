import { createHash, createHmac } from 'node:crypto';
import { type Random } from '../lib/random.js';
import {
  type Asn1, algorithm, bmp, explicit, implicitBytes, integer, octets, oid, seq, setOf, toDer,
} from './der.js';
import { type Pkcs12Hash, KDF_ID, pkcs12Kdf } from './pkcs12-kdf.js';

const P12_OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
};

/** Encrypts one blob under the PIN; returns the AlgorithmIdentifier that describes how. */
export type BagEncryptor = (plaintext: Buffer) => { algorithm: Asn1; ciphertext: Buffer };

export interface MacSpec {
  hash: Pkcs12Hash;
  iterations: number;
  saltBytes: number;
}

export interface PfxInput {
  leafDer: Buffer;
  chainDers: Buffer[];
  pkcs8Der: Buffer;
  friendlyName: string;
  pin: string;
  encrypt: BagEncryptor;
  mac: MacSpec;
  random: Random;
}

const attribute = (type: string, value: Asn1): Asn1 => seq(oid(type), setOf(value));

const dataContentInfo = (der: Buffer): Asn1 =>
  seq(oid(P12_OIDS.data), explicit(0, octets(der)));

function certBag(der: Buffer, attrs?: Asn1): Asn1 {
  const value = seq(oid(P12_OIDS.x509Certificate), explicit(0, octets(der)));
  return seq(oid(P12_OIDS.certBag), explicit(0, value), ...(attrs ? [attrs] : []));
}

/**
 * PFX (RFC 7292) with the certificates in an encryptedData safe, leaf first, and the key in a
 * pkcs8ShroudedKeyBag. The key bag and the leaf share localKeyId = SHA-1 of the leaf DER, which
 * is what importers pair on; both carry the friendlyName as a BMPString.
 */
export function assemblePfx(p: PfxInput): Uint8Array {
  const keyId = createHash('sha1').update(p.leafDer).digest();
  const bagAttrs = () => setOf(
    attribute(P12_OIDS.localKeyId, octets(keyId)),
    attribute(P12_OIDS.friendlyName, bmp(p.friendlyName)),
  );

  const certs = toDer(seq(certBag(p.leafDer, bagAttrs()), ...p.chainDers.map((der) => certBag(der))));
  const sealedCerts = p.encrypt(certs);
  const certSafe = seq(oid(P12_OIDS.encryptedData), explicit(0, seq(
    integer(0),
    seq(oid(P12_OIDS.data), sealedCerts.algorithm, implicitBytes(0, sealedCerts.ciphertext)),
  )));

  const sealedKey = p.encrypt(p.pkcs8Der);
  const keyBag = seq(
    oid(P12_OIDS.pkcs8ShroudedKeyBag),
    explicit(0, seq(sealedKey.algorithm, octets(sealedKey.ciphertext))),
    bagAttrs(),
  );
  const keySafe = dataContentInfo(toDer(seq(keyBag)));

  const authSafe = toDer(seq(certSafe, keySafe));
  const macSalt = Buffer.from(p.random(p.mac.saltBytes));
  const macKey = pkcs12Kdf({
    hash: p.mac.hash, password: p.pin, salt: macSalt, iterations: p.mac.iterations,
    id: KDF_ID.mac, size: p.mac.hash === 'sha1' ? 20 : 32,
  });
  const mac = createHmac(p.mac.hash, macKey).update(authSafe).digest();
  const macData = seq(
    seq(algorithm(P12_OIDS[p.mac.hash]), octets(mac)),
    octets(macSalt),
    integer(p.mac.iterations),
  );
  return new Uint8Array(toDer(seq(integer(3), dataContentInfo(authSafe), macData)));
}
