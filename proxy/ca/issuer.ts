// Issues the leaf, chain and TLS context for one (host, scenario). Keys are made once per
// data dir (kept-keys.ts), off the connection path; a first connection costs one native
// RSA signature, and concurrent first connections share it. Leaves and contexts for new
// hosts are built one per event-loop turn (pacer.ts), so a burst does not stall the loop.
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject, type X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import forge from 'node-forge';
import type { Scenario } from '../session/events.js';
import { buildCaCertificate } from './ca-cert.js';
import { leafName } from './host-name.js';
import { buildLeaf, planLeaf, type LeafKey, type LeafSigner, type SignerRole } from './leaf.js';
import type { RootCa } from './root-ca.js';
import { keptRsaKey, LEAF_KEY_FILE, UNTRUSTED_KEY_FILE } from './kept-keys.js';
import { Pacer } from './pacer.js';
import { toForgePublicKey } from './sign.js';

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  /** Leaf first, then any certificate the client needs to build the chain (not the root). */
  chainPem: string;
}

/** Enough (host, scenario) pairs for a long session; evicting the oldest bounds memory. */
const CACHE_LIMIT = 2000;

// TLS 1.0/1.1 clients need SHA-1 handshake signatures, which OpenSSL 3 refuses above
// security level 0. Node's default suites are kept; only the level is lowered.
const CIPHERS = `${tls.DEFAULT_CIPHERS}:@SECLEVEL=0`;

export class CertificateIssuer {
  private readonly certs = new Map<string, Promise<IssuedCert>>();
  private readonly contexts = new Map<string, Promise<tls.SecureContext>>();
  private issued = 0;
  private readonly pacer = new Pacer();

  private constructor(
    private readonly leafKey: LeafKey,
    private readonly leafKeyPem: string,
    private readonly signers: Record<Exclude<SignerRole, 'self'>, LeafSigner>,
    private readonly untrustedCaPem: string,
  ) {}

  /** `keyDir`: where the leaf and throwaway-CA keys are kept (the root CA's folder); null = fresh keys, kept nowhere. */
  static async create(root: RootCa, keyDir: string | null = null): Promise<CertificateIssuer> {
    const [leaf, throwaway] = await Promise.all([keptRsaKey(keyDir, LEAF_KEY_FILE), keptRsaKey(keyDir, UNTRUSTED_KEY_FILE)]);
    const untrustedCa = await buildCaCertificate({
      commonName: `Pinprobe Untrusted Test CA (${randomBytes(2).toString('hex')})`,
      organization: 'Pinprobe (deliberately untrusted)',
      keys: throwaway,
      validDays: 365,
    });
    const leafKey: LeafKey = {
      privateKey: leaf.privateKey,
      forgePublicKey: leaf.forgePublicKey,
      keyId: forge.pki.getPublicKeyFingerprint(leaf.forgePublicKey, { type: 'RSAPublicKey', encoding: 'binary' }),
    };
    const signers = {
      root: signerFrom(root.certPem, createPrivateKey(root.keyPem)),
      untrusted: signerFrom(untrustedCa.toString(), throwaway.privateKey),
    };
    const leafKeyPem = leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return new CertificateIssuer(leafKey, leafKeyPem, signers, untrustedCa.toString());
  }

  certificate(host: string, scenario: Scenario): Promise<IssuedCert> {
    return this.cached(this.certs, host, scenario, (canonical) => this.pacer.run(() => this.build(canonical, scenario)));
  }

  secureContext(host: string, scenario: Scenario): Promise<tls.SecureContext> {
    return this.cached(this.contexts, host, scenario, async () => {
      const issued = await this.certificate(host, scenario);
      return this.pacer.run(() => tls.createSecureContext({
        cert: issued.chainPem,
        key: issued.keyPem,
        minVersion: 'TLSv1',
        ciphers: CIPHERS,
        // Own random ticket keys per context: a session ticket issued under one scenario
        // cannot be decrypted by another's context, so a client can never resume its way
        // past the certificate it was assigned (a resumed handshake shows no certificate).
        // OpenSSL happens to randomise them per context too; stating it keeps the guarantee
        // from resting on that default. Session-ID resumption needs a server session cache,
        // which a bare TLSSocket does not have.
        ticketKeys: randomBytes(48),
      }), 'finish');
    });
  }

  /** How many leaves were built, for tests of the cache. */
  issuedCount(): number {
    return this.issued;
  }

  /** The per-run throwaway CA behind `untrusted-root` (no device trusts it). */
  untrustedCaCertPem(): string {
    return this.untrustedCaPem;
  }

  private async build(host: string, scenario: Scenario): Promise<IssuedCert> {
    const plan = planLeaf(leafName(host), scenario, new Date());
    const signer = plan.signer === 'self' ? null : this.signers[plan.signer];
    this.issued++;
    const leaf: X509Certificate = await buildLeaf(plan, this.leafKey, signer);
    const certPem = leaf.toString();
    const chain = plan.signer === 'untrusted' ? [certPem, this.untrustedCaPem] : [certPem];
    return { certPem, keyPem: this.leafKeyPem, chainPem: chain.join('') };
  }

  /** One in-flight promise per key; a failure is forgotten so the next call retries. */
  private cached<T>(
    map: Map<string, Promise<T>>,
    host: string,
    scenario: Scenario,
    make: (canonicalHost: string) => Promise<T>,
  ): Promise<T> {
    let canonical: string;
    try {
      canonical = leafName(host).host;
    } catch (err) {
      return Promise.reject(err);
    }
    const key = `${scenario} ${canonical}`;
    const hit = map.get(key);
    if (hit) {
      map.delete(key);
      map.set(key, hit);
      return hit;
    }
    const promise = (async () => make(canonical))();
    map.set(key, promise);
    promise.catch(() => {
      if (map.get(key) === promise) map.delete(key);
    });
    if (map.size > CACHE_LIMIT) map.delete(map.keys().next().value as string);
    return promise;
  }
}

function signerFrom(certPem: string, privateKey: KeyObject): LeafSigner {
  const cert = forge.pki.certificateFromPem(certPem);
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyId = ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : forge.pki.getPublicKeyFingerprint(toForgePublicKey(createPublicKey(privateKey)), { type: 'RSAPublicKey', encoding: 'binary' });
  return { subject: cert.subject.attributes, keyId, privateKey };
}
