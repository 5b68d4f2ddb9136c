// Debian's nginx as a real mTLS backend: `ssl_verify_client on|optional|off` with
// testPki()'s server certificate and client CA. Everything nginx writes (pid, logs, temp
// dirs) stays in a temp dir, it runs in the foreground as one process (`master_process
// off`, so root in CI never switches to an unprivileged worker that could not read the
// temp dir), and close() stops it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPki } from './pki.js';
import { freePort, stopChild, waitForPort, type RunningServer } from './tls-servers.js';

export const NGINX_BIN = process.env.PINPROBE_NGINX ?? '/usr/sbin/nginx';

/**
 * The mTLS tests need Debian's nginx (installed by .ci/run). A missing nginx fails those
 * tests loudly instead of skipping them, so a green run always includes the nginx cases.
 */
export function nginxAvailable(): boolean {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: the mTLS tests need nginx — apt-get install nginx-light (see .ci/run)`);
  return true;
}

export interface NginxOptions {
  verifyClient: 'on' | 'optional' | 'off';
}

function config(dir: string, port: number, opts: NginxOptions): string {
  const pki = testPki();
  const verify =
    opts.verifyClient === 'off'
      ? ''
      : `ssl_client_certificate ${pki.clientCaCertPath};\n    ssl_verify_client ${opts.verifyClient};\n    ssl_verify_depth 2;`;
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 64; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  default_type text/plain;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${pki.serverCertPath};
    ssl_certificate_key ${pki.serverKeyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    ${verify}
    location / { return 200 "ok\\n"; }
  }
}
`;
}

export async function startNginx(opts: NginxOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-nginx-'));
  const port = await freePort();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, config(dir, port, opts));
  // -e keeps even the pre-config error log out of /var/log/nginx.
  const child = spawn(NGINX_BIN, ['-p', dir, '-c', confPath, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errorLog = (): string => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-5).join('\n');
    } catch {
      return '';
    }
  };
  const cleanup = async (): Promise<void> => {
    await stopChild(child, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 10_000, () =>
      child.exitCode !== null ? `nginx exited ${child.exitCode}: ${stderr.trim()} ${errorLog()}`.trim() : null,
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { port, url: `https://127.0.0.1:${port}/`, close: cleanup };
}
