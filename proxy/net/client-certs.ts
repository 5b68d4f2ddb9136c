// Client certificates Pinprobe presents upstream, per host glob (`--client-cert`). Parsing
// and loading happen once at start-up so a wrong password, a missing file or a key that
// does not belong to its certificate is a one-line error before any traffic flows.
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { ClientCertSetting } from '../settings-types.js';
import { SettingError } from '../setting-error.js';
import { hostGlobMatch } from '../host-glob.js';

export { hostGlobMatch };

/** `HOST=CERT.pem,KEY.pem`, `HOST=BUNDLE.pem` (cert and key in one file) or `HOST=FILE.p12[:PASSWORD]`. */
export type ClientCertSpec =
  | { hostGlob: string; kind: 'pem'; certPath: string; keyPath: string }
  | { hostGlob: string; kind: 'p12'; path: string; passphrase: string | null };

export type ClientTlsOptions = { cert: string; key: string } | { pfx: Buffer; passphrase: string };

export interface LoadedClientCert {
  hostGlob: string;
  /** Leaf subject, RDNs joined with ", " (e.g. "CN=test-device-001"). */
  subject: string;
  issuer: string;
  /** SHA-256 of the leaf, colon-separated hex (as Node's X509Certificate prints it). */
  fingerprint: string;
  validTo: string;
  /** Spread into tls.connect() options. */
  tlsOptions: ClientTlsOptions;
  /** The files it came from, for messages. */
  source: string;
}

const OPTION = '--client-cert';

type CertPart = 'host' | 'cert' | 'key' | 'passphrase';

/** `part` says which field of the UI's client-certificate row the problem is about. */
function fail(spec: string, what: string, part: CertPart = 'cert'): never {
  throw new SettingError({ key: 'clientCerts', part, message: what }, `${OPTION} ${spec}: ${what}`);
}

/** Parses the option value; files are not touched (see loadClientCert). */
export function parseClientCertSpec(spec: string): ClientCertSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0) fail(spec, 'expected HOST=CERT.pem,KEY.pem or HOST=FILE.p12[:PASSWORD]');
  const hostGlob = spec.slice(0, eq).trim().toLowerCase();
  const rest = spec.slice(eq + 1);
  if (!/^[a-z0-9*.:[\]_-]+$/.test(hostGlob)) fail(spec, `"${hostGlob}" is not a host name or glob (e.g. api.example.com, *.example.com)`, 'host');
  if (rest === '') fail(spec, 'no certificate file after "="');
  // Lazy up to the first ".p12"/".pfx" that is followed by the end or ":PASSWORD", so a
  // Windows drive letter or a password containing ":" still splits right.
  const p12 = /^(.+?\.(?:p12|pfx))(?::([\s\S]*))?$/i.exec(rest);
  if (p12) return { hostGlob, kind: 'p12', path: p12[1], passphrase: p12[2] ?? null };
  const comma = rest.indexOf(',');
  if (comma >= 0) {
    const certPath = rest.slice(0, comma);
    const keyPath = rest.slice(comma + 1);
    if (!certPath || !keyPath) fail(spec, 'expected CERT.pem,KEY.pem');
    return { hostGlob, kind: 'pem', certPath, keyPath };
  }
  return { hostGlob, kind: 'pem', certPath: rest, keyPath: rest };
}

/** The same spec from the control API's settings shape. */
export function specFromSetting(setting: ClientCertSetting): ClientCertSpec {
  const hostGlob = setting.host.trim().toLowerCase();
  if (setting.key) return { hostGlob, kind: 'pem', certPath: setting.cert, keyPath: setting.key };
  if (/\.(?:p12|pfx)$/i.test(setting.cert)) return { hostGlob, kind: 'p12', path: setting.cert, passphrase: setting.passphrase ?? null };
  return { hostGlob, kind: 'pem', certPath: setting.cert, keyPath: setting.cert };
}

function specText(spec: ClientCertSpec): string {
  return spec.kind === 'p12'
    ? `${spec.hostGlob}=${spec.path}`
    : spec.certPath === spec.keyPath
      ? `${spec.hostGlob}=${spec.certPath}`
      : `${spec.hostGlob}=${spec.certPath},${spec.keyPath}`;
}

function readOrFail(spec: ClientCertSpec, path: string, what: string, part: CertPart = 'cert'): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code;
    fail(specText(spec), `cannot read ${what} file ${path} (${why})`, part);
  }
}

function spki(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

function describeCert(x509: X509Certificate): Pick<LoadedClientCert, 'subject' | 'issuer' | 'fingerprint' | 'validTo'> {
  const rdns = (name: string) => name.split('\n').filter(Boolean).join(', ');
  return { subject: rdns(x509.subject), issuer: rdns(x509.issuer), fingerprint: x509.fingerprint256, validTo: x509.validTo };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

function loadPem(spec: Extract<ClientCertSpec, { kind: 'pem' }>): LoadedClientCert {
  const label = specText(spec);
  // Key problems belong to the key field only when the key has a file of its own.
  const keyPart: CertPart = spec.keyPath === spec.certPath ? 'cert' : 'key';
  const certText = readOrFail(spec, spec.certPath, 'certificate').toString('utf8');
  const certs = certText.match(PEM_CERT);
  if (!certs) fail(label, `${spec.certPath} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const keyText = spec.keyPath === spec.certPath ? certText : readOrFail(spec, spec.keyPath, 'key', 'key').toString('utf8');
  const keyMatch = PEM_KEY.exec(keyText);
  if (!keyMatch) fail(label, `${spec.keyPath} holds no PEM private key${spec.keyPath === spec.certPath ? ' (give the key as CERT.pem,KEY.pem)' : ''}`, keyPart);
  if (keyMatch[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(keyMatch[0])) {
    fail(label, `the key in ${spec.keyPath} is encrypted; decrypt it first (openssl pkey -in KEY -out plain-key.pem)`, keyPart);
  }
  let key: KeyObject;
  let leaf: X509Certificate;
  try {
    key = createPrivateKey(keyMatch[0]);
  } catch (err) {
    fail(label, `cannot parse the key in ${spec.keyPath} (${(err as Error).message})`, keyPart);
  }
  try {
    leaf = new X509Certificate(certs[0]);
  } catch (err) {
    fail(label, `cannot parse the certificate in ${spec.certPath} (${(err as Error).message})`);
  }
  if (!spki(key).equals(leaf.publicKey.export({ type: 'spki', format: 'der' }))) {
    fail(label, `the key in ${spec.keyPath} does not match the certificate in ${spec.certPath}`);
  }
  const tlsOptions = { cert: certs.join('\n'), key: keyMatch[0] };
  try {
    tls.createSecureContext(tlsOptions);
  } catch (err) {
    fail(label, `OpenSSL refused the certificate/key (${(err as Error).message})`);
  }
  return { hostGlob: spec.hostGlob, ...describeCert(leaf), tlsOptions, source: spec.certPath === spec.keyPath ? spec.certPath : `${spec.certPath},${spec.keyPath}` };
}

async function loadP12(spec: Extract<ClientCertSpec, { kind: 'p12' }>): Promise<LoadedClientCert> {
  const label = specText(spec);
  const pfx = readOrFail(spec, spec.path, 'PKCS#12');
  const passphrase = spec.passphrase ?? '';
  // OpenSSL is the authority on whether the file works for TLS (and checks its MAC).
  try {
    tls.createSecureContext({ pfx, passphrase });
  } catch (err) {
    const message = (err as Error).message;
    if (/mac verify|invalid password|bad decrypt/i.test(message)) {
      fail(label, spec.passphrase === null
        ? `${spec.path} needs a password: ${OPTION} ${spec.hostGlob}=${spec.path}:PASSWORD`
        : `wrong password for ${spec.path}`, 'passphrase');
    }
    if (/unsupported/i.test(message)) fail(label, `${spec.path} uses an algorithm OpenSSL 3 no longer supports (old RC2/3DES export?); re-export it with a current openssl pkcs12 -export`);
    fail(label, `${spec.path} is not a usable PKCS#12 file (${message})`);
  }
  // Loaded on demand: it imports node-forge (~10 MiB of RSS), which a start without a P12 never needs.
  const { readP12 } = await import('./mtls-p12.js');
  let contents;
  try {
    contents = readP12(pfx, passphrase);
  } catch (err) {
    fail(label, `cannot read the certificate inside ${spec.path} (${(err as Error).message})`);
  }
  if (contents.keys.length === 0) fail(label, `${spec.path} holds no private key`);
  if (contents.certs.length === 0) fail(label, `${spec.path} holds no certificate`);
  const keySpki = spki(contents.keys[0]);
  const leaf = contents.certs.find((c) => c.publicKey.export({ type: 'spki', format: 'der' }).equals(keySpki));
  if (!leaf) fail(label, `the key in ${spec.path} does not match any certificate in it`);
  return { hostGlob: spec.hostGlob, ...describeCert(leaf), tlsOptions: { pfx, passphrase }, source: spec.path };
}

/** Reads and validates the files; errors name the option, the file and what to do. */
export async function loadClientCert(spec: ClientCertSpec): Promise<LoadedClientCert> {
  return spec.kind === 'p12' ? loadP12(spec) : loadPem(spec);
}

/** The first loaded certificate whose glob matches host (order of the options wins). */
export function matchClientCert(host: string, loaded: readonly LoadedClientCert[], port?: number): LoadedClientCert | null {
  return loaded.find((c) => hostGlobMatch(c.hostGlob, host, port)) ?? null;
}
