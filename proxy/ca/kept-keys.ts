// The leaf key and the throwaway (untrusted-root) CA key, generated once per data dir and
// kept next to the root CA (0600), instead of two RSA-2048 generations on every start
// (~200–600 ms of start-up on a busy machine). Neither key is trusted by anything: a
// missing or unreadable file is simply replaced by a new key.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRsaKeyPair, type RsaKeyPair } from './sign.js';

export const LEAF_KEY_FILE = 'leaf-key.pem';
export const UNTRUSTED_KEY_FILE = 'untrusted-ca-key.pem';

/** The key in `dir/file`, or a new one written there; `dir` null = not kept (a new key). */
export async function keptRsaKey(dir: string | null, file: string): Promise<RsaKeyPair> {
  if (dir === null) return generateRsaKeyPair();
  const path = join(dir, file);
  const loaded = await readFile(path, 'utf8').then(fromPem, () => null);
  if (loaded) return loaded;
  const pair = await generateRsaKeyPair();
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Written aside and renamed: a concurrent start or a crash never leaves half a key.
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, pem, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch {
    // A read-only data dir: run with the fresh key, keep nothing.
  }
  return pair;
}

function fromPem(pem: string): RsaKeyPair | null {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    return null;
  }
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return null;
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
