// Shared pieces of the benchmarks: a throwaway origin certificate, starting the proxy under
// test (pinprobe or mitmdump) as a child process, and sampling its resident memory.
// Everything listens on 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function workDir() {
  const dir = mkdtempSync(join(tmpdir(), 'pinprobe-bench-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { cwd: dir, stdio: 'pipe' });
  return { dir, cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')), certPath: join(dir, 'c.pem') };
}

/** Resident memory of a process and all its descendants, in KiB. */
export function treeRssKiB(pid) {
  let total = 0;
  const visit = (p) => {
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(t));
    } catch {
      // the process ended between listing and reading
    }
  };
  visit(pid);
  return total;
}

export function sampleRss(pid) {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRssKiB(pid))), 50);
  return () => {
    clearInterval(timer);
    return +(Math.max(peak, treeRssKiB(pid)) / 1024).toFixed(1);
  };
}

const waitForPort = async (port, ms) => {
  const net = await import('node:net');
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
};

/** Starts the proxy under test; returns { child, port, caPath, stop() }. */
export async function startProxy(kind, dir, upstreamCa) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  let child;
  let caPath;
  if (kind === 'mitmdump') {
    child = spawn('mitmdump', ['--listen-host', '127.0.0.1', '-p', String(port), '--set', `confdir=${dir}/mitm`, '--set', 'ssl_verify_upstream_trusted_ca=' + upstreamCa, '--set', 'stream_large_bodies=1m', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
    caPath = join(dir, 'mitm', 'mitmproxy-ca-cert.pem');
  } else {
    const bin = join(import.meta.dirname, '..', 'bin', 'pinprobe.js');
    child = spawn(process.execPath, [bin, 'proxy', '--port', String(port), '--listen', '127.0.0.1', '--data-dir', join(dir, 'pp'), '--record', join(dir, 'pp', 'bench.jsonl'), '--upstream-ca', upstreamCa, '--scenario', 'trusted'], { stdio: ['ignore', 'ignore', 'inherit'] });
    caPath = join(dir, 'pp', 'ca', 'pinprobe-ca.pem');
  }
  await waitForPort(port, 30_000);
  return {
    child,
    port,
    caPath,
    stop: () => new Promise((ok) => {
      child.once('exit', ok);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}
