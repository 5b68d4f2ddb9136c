// Issues the leaf, chain and TLS context for one (host, scenario). Keys are made once per
// data dir (kept-keys.ts), off the connection path; a first connection costs one native
// RSA signature, and concurrent first connections share it. Leaves and contexts for new
// hosts are built one per event-loop turn (pacer.ts), so a burst does not stall the loop.
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import type { Scenario } from '../session/events.js';
import { buildCaCertificate, rsaKeyId } from './ca-cert.js';
import { leafName } from './host-name.js';
import { buildLeaf, planLeaf, type LeafKey, type LeafSigner, type SignerRole } from './leaf.js';
import type { RootCa } from './root-ca.js';
import { certificateNames, subjectKeyIdentifier } from './der.js';
import { keptRsaKey, LEAF_KEY_FILE, UNTRUSTED_KEY_FILE } from './kept-keys.js';
import { Pacer } from './pacer.js';
import { certificatePem } from './sign.js';

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
  private spare: tls.SecureContext | null = null;
  private refilling = false;

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
      spki: leaf.publicKey.export({ type: 'spki', format: 'der' }),
      keyId: rsaKeyId(leaf.publicKey),
    };
    const signers = {
      root: signerFrom(root.certPem, createPrivateKey(root.keyPem)),
      untrusted: signerFrom(untrustedCa.toString(), throwaway.privateKey),
    };
    const leafKeyPem = leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const issuer = new CertificateIssuer(leafKey, leafKeyPem, signers, untrustedCa.toString());
    issuer.refillSpare();
    return issuer;
  }

  certificate(host: string, scenario: Scenario): Promise<IssuedCert> {
    const canonical = canonicalHost(host);
    return typeof canonical === 'string' ? this.certificateFor(canonical, scenario) : canonical;
  }

  secureContext(host: string, scenario: Scenario): Promise<tls.SecureContext> {
    const canonical = canonicalHost(host);
    if (typeof canonical !== 'string') return canonical;
    return this.cached(this.contexts, `${scenario} ${canonical}`, async () => {
      // A host with no other host's work queued ahead (a lone new host, the first of a burst)
      // is signed and finished in its own turn of the pacer, on the loop: ~1.5 ms there
      // instead of waiting for a pool thread and a second turn. Any host asked for while its
      // work is queued finds the pacer busy and takes the paced path.
      const alone = !this.pacer.hasWorkQueued();
      // Most of a context's cost is host-independent (parsing the key, the cipher list):
      // that part is made while the leaf is being signed, so the first host of a burst waits
      // for one signature plus adding its chain, not for both in a row.
      const [issued, keyed] = await Promise.all([this.certificateFor(canonical, scenario, alone), this.keyedContext()]);
      const finish = (): tls.SecureContext => {
        const context = withChain(keyed, issued);
        // A new spare once this burst's work is done (idle work waits for it).
        if (!this.spare) this.refillSpare();
        return context;
      };
      return alone ? finish() : this.pacer.run(finish, 'finish');
    });
  }

  /** Whether a spare keyed context is ready, for tests of it. */
  hasSpare(): boolean {
    return this.spare !== null;
  }

  /** How many leaves were built, for tests of the cache. */
  issuedCount(): number {
    return this.issued;
  }

  /** The per-run throwaway CA behind `untrusted-root` (no device trusts it). */
  untrustedCaCertPem(): string {
    return this.untrustedCaPem;
  }

  private async build(host: string, scenario: Scenario, onLoop: boolean): Promise<IssuedCert> {
    const plan = planLeaf(leafName(host), scenario, new Date());
    const signer = plan.signer === 'self' ? null : this.signers[plan.signer];
    this.issued++;
    // Not parsed back here: createSecureContext parses it, so a layout mistake still fails at issue time.
    const certPem = certificatePem(await buildLeaf(plan, this.leafKey, signer, onLoop));
    const chain = plan.signer === 'untrusted' ? [certPem, this.untrustedCaPem] : [certPem];
    return { certPem, keyPem: this.leafKeyPem, chainPem: chain.join('') };
  }

  /**
   * A keyed context for a new host: the spare made while the pacer was idle if there is one
   * (so the first new host after a quiet spell waits for nothing but its signature), else
   * one made in turn.
   */
  private keyedContext(): Promise<tls.SecureContext> {
    const spare = this.spare;
    if (!spare) return this.pacer.run(() => keyedContext(this.leafKeyPem));
    this.spare = null;
    return Promise.resolve(spare);
  }

  /** Makes the next spare once the pacer has nothing else to do (at most one on the way). */
  private refillSpare(): void {
    if (this.refilling) return;
    this.refilling = true;
    this.pacer.run(() => keyedContext(this.leafKeyPem), 'idle').then(
      (context) => {
        this.spare = context;
        this.refilling = false;
      },
      () => {
        this.refilling = false;
      },
    );
  }

  /** `onLoop`: sign on the event loop (signTbs), for a host nothing is queued ahead of. */
  private certificateFor(canonical: string, scenario: Scenario, onLoop = false): Promise<IssuedCert> {
    return this.cached(this.certs, `${scenario} ${canonical}`, () => this.pacer.run(() => this.build(canonical, scenario, onLoop)));
  }

  /** One in-flight promise per key; a failure is forgotten so the next call retries. */
  private cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit) {
      map.delete(key);
      map.set(key, hit);
      return hit;
    }
    const promise = make();
    map.set(key, promise);
    promise.catch(() => {
      if (map.get(key) === promise) map.delete(key);
    });
    if (map.size > CACHE_LIMIT) map.delete(map.keys().next().value as string);
    return promise;
  }
}

/** The canonical host a leaf is issued and cached for, or the rejection for a name that cannot have one. */
function canonicalHost(host: string): string | Promise<never> {
  try {
    return leafName(host).host;
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * A context with the leaf key, protocol range and suites, but no certificate yet.
 * Own random ticket keys per context: a session ticket issued under one scenario cannot be
 * decrypted by another's context, so a client can never resume its way past the certificate
 * it was assigned (a resumed handshake shows no certificate). OpenSSL happens to randomise
 * them per context too; stating it keeps the guarantee from resting on that default.
 * Session-ID resumption needs a server session cache, which a bare TLSSocket does not have.
 */
function keyedContext(keyPem: string): tls.SecureContext {
  return tls.createSecureContext({ key: keyPem, minVersion: 'TLSv1', ciphers: CIPHERS, ticketKeys: randomBytes(48) });
}

interface NativeContext {
  setCert?: (pem: string) => void;
}

/**
 * `keyed` with the leaf's chain added: the same native call createSecureContext makes for
 * `cert` (OpenSSL keeps the key, which matches). Should a Node release not expose it, the
 * context is built whole instead.
 */
function withChain(keyed: tls.SecureContext, issued: IssuedCert): tls.SecureContext {
  const native = (keyed as { context?: NativeContext }).context;
  if (typeof native?.setCert !== 'function') {
    return tls.createSecureContext({ cert: issued.chainPem, key: issued.keyPem, minVersion: 'TLSv1', ciphers: CIPHERS, ticketKeys: randomBytes(48) });
  }
  native.setCert(issued.chainPem);
  return keyed;
}

/** Exported for tests: the issuer Name and key id a leaf signed by this CA must carry. */
export function signerFrom(certPem: string, privateKey: KeyObject): LeafSigner {
  const der = new X509Certificate(certPem).raw;
  // The CA's own subjectKeyIdentifier as written (another tool may derive it differently);
  // without one, the SHA-1 key id forge used to fall back to.
  const keyId = subjectKeyIdentifier(der) ?? rsaKeyId(createPublicKey(privateKey));
  // The issuer Name exactly as the CA certificate encodes it: chain building compares bytes.
  return { name: Buffer.from(certificateNames(der).subject), keyId, privateKey };
}
