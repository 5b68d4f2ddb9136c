// The install's root CA: made once, then loaded on every run. A CA file that cannot be
// used is an error for the user to resolve — regenerating would silently invalidate the
// CA every test device was told to trust.
import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { buildCaCertificate } from './ca-cert.js';
import { generateRsaKeyPair } from './sign.js';

export interface RootCa {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** The certificate's common name. */
  subject: string;
}

export class CaError extends Error {
  override name = 'CaError';
}

export const CA_CERT_FILE = 'pinprobe-ca.pem';
export const CA_KEY_FILE = 'pinprobe-ca-key.pem';
const ROOT_VALID_DAYS = 3650;

export async function loadOrCreateRootCa(dataDir: string): Promise<RootCa> {
  const caDir = join(dataDir, 'ca');
  const certPath = join(caDir, CA_CERT_FILE);
  const keyPath = join(caDir, CA_KEY_FILE);
  await ensurePrivateDir(dataDir, false);
  await ensurePrivateDir(caDir, true);
  const [hasCert, hasKey] = await Promise.all([exists(certPath), exists(keyPath)]);
  if (hasCert && hasKey) return loadRootCa(certPath, keyPath);
  if (hasCert !== hasKey) throw halfPresent(caDir, hasCert ? keyPath : certPath, hasCert ? certPath : keyPath);
  return createRootCa(caDir, certPath, keyPath);
}

async function loadRootCa(certPath: string, keyPath: string): Promise<RootCa> {
  const certPem = await readCaFile(certPath, 'certificate');
  const keyPem = await readCaFile(keyPath, 'private key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new CaError(`${certPath} is not a valid PEM certificate (${reason(err)}). ${RECOVER(certPath)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new CaError(`${keyPath} is not a valid unencrypted PEM private key (${reason(err)}). ${RECOVER(keyPath)}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CaError(`${keyPath} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; Pinprobe's CA must be RSA. ${RECOVER(keyPath)}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new CaError(`${keyPath} does not match the certificate ${certPath}. ${RECOVER(keyPath)}`);
  }
  if (!cert.ca) throw new CaError(`${certPath} is not a CA certificate (basicConstraints CA:false). ${RECOVER(certPath)}`);
  if (Date.parse(cert.validTo) < Date.now()) {
    throw new CaError(`${certPath} expired on ${cert.validTo}. Move the folder holding it away to create a new CA, then install the new one on your devices.`);
  }
  await tightenKeyMode(keyPath);
  return { certPem, keyPem, certPath, keyPath, subject: commonNameOf(cert) };
}

async function createRootCa(caDir: string, certPath: string, keyPath: string): Promise<RootCa> {
  const keys = await generateRsaKeyPair();
  const subject = uniqueSubject();
  const cert = await buildCaCertificate({ commonName: subject, organization: 'Pinprobe', keys, validDays: ROOT_VALID_DAYS });
  const certPem = cert.toString();
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Written aside, then hard-linked into place: link() fails if the name exists, so two
  // Pinprobes starting at once cannot overwrite each other's CA; the key goes first so a
  // certificate never sits on disk without its key.
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const tmpKey = join(caDir, `.${CA_KEY_FILE}.${tag}`);
  const tmpCert = join(caDir, `.${CA_CERT_FILE}.${tag}`);
  try {
    await writeFile(tmpKey, keyPem, { mode: 0o600, flag: 'wx' });
    await chmod(tmpKey, 0o600);
    await writeFile(tmpCert, certPem, { mode: 0o644, flag: 'wx' });
    try {
      await link(tmpKey, keyPath);
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      return waitForOtherCreator(certPath, keyPath);
    }
    await link(tmpCert, certPath);
  } catch (err) {
    if (err instanceof CaError) throw err;
    throw new CaError(`Could not create the root CA in ${caDir} (${reason(err)}). Check that the folder is writable.`);
  } finally {
    await Promise.all([unlink(tmpKey).catch(() => undefined), unlink(tmpCert).catch(() => undefined)]);
  }
  return { certPem, keyPem, certPath, keyPath, subject };
}

/** Another process won the race to create the CA: give it a moment to finish, then load its files. */
async function waitForOtherCreator(certPath: string, keyPath: string): Promise<RootCa> {
  for (let i = 0; i < 50 && !(await exists(certPath)); i++) await new Promise((r) => setTimeout(r, 100));
  return loadRootCa(certPath, keyPath);
}

/** "Pinprobe CA (<host> <date> <hex>)" — kept under the 64-character limit on a CN. */
function uniqueSubject(): string {
  const host = hostname().split('.')[0].replace(/[^A-Za-z0-9-]/g, '').slice(0, 30) || 'host';
  const date = new Date().toISOString().slice(0, 10);
  return `Pinprobe CA (${host} ${date} ${randomBytes(2).toString('hex')})`;
}

function commonNameOf(cert: X509Certificate): string {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : cert.subject;
}

/** Only the folders Pinprobe creates get mode 0700: a user's existing --data-dir (say, /tmp) is left alone. */
async function ensurePrivateDir(dir: string, ours: boolean): Promise<void> {
  let created = false;
  try {
    created = (await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined;
    if (created || ours) await chmod(dir, 0o700);
  } catch (err) {
    throw new CaError(`Cannot create or use the folder ${dir} (${reason(err)}). Pick a writable --data-dir.`);
  }
}

async function tightenKeyMode(keyPath: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(keyPath);
  if (mode & 0o077) await chmod(keyPath, 0o600).catch(() => undefined);
}

async function readCaFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CaError(`Cannot read the CA ${what} ${path} (${reason(err)}). Fix its permissions (it must be readable by you), or ${RECOVER_TAIL}`);
  }
}

function halfPresent(caDir: string, missing: string, present: string): CaError {
  return new CaError(
    `${missing} is missing but ${present} exists; a CA needs both. Restore the missing file, or move ${caDir} away to create a new CA (devices must then trust the new one).`,
  );
}

const RECOVER_TAIL = 'move its folder away to create a new CA (devices must then trust the new one).';
const RECOVER = (path: string): string => `Restore ${path} from a backup, or ${RECOVER_TAIL}`;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false;
    // Anything else (EACCES on the folder...) surfaces when the file is read.
    return true;
  }
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function reason(err: unknown): string {
  const code = errCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
