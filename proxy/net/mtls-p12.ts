// Reads the certificates and private key out of a PKCS#12 file, so Pinprobe can show the
// subject, fingerprint and check that the key belongs to the certificate. OpenSSL itself
// (through Node's TLS) is what presents the P12 upstream; node-forge only decodes it here
// because Node has no API to look inside one. forge decrypts OpenSSL 3's default
// (PBES2/PBKDF2/AES-256, SHA-256 MAC) and keeps the raw ASN.1 of EC keys and certificates
// it cannot model, which Node's crypto then parses.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface P12Contents {
  certs: X509Certificate[];
  keys: KeyObject[];
}

function derOf(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/** Throws when forge cannot decode the file or the password is wrong (MAC check). */
export function readP12(data: Buffer, passphrase: string): P12Contents {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
  const pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  const certs: X509Certificate[] = [];
  const keys: KeyObject[] = [];
  for (const safe of pfx.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        const der = bag.cert ? derOf(forge.pki.certificateToAsn1(bag.cert)) : derOf(bag.asn1);
        certs.push(new X509Certificate(der));
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        // RSA keys come back as forge objects; anything else as the PrivateKeyInfo ASN.1.
        const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
        keys.push(createPrivateKey({ key: derOf(info), format: 'der', type: 'pkcs8' }));
      }
    }
  }
  return { certs, keys };
}
