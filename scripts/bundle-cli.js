#!/usr/bin/env node
// Part of `npm run build:engine`, after tsc: bundles the compiled CLI (dist/proxy/cli.js and
// the ~120 modules it imports) into dist/cli/, which bin/pinprobe.js runs. Loading one ES
// module instead of 120 is what start-up spends most of its time on (Node 20's ESM loader
// resolves, reads and links each file: import 108–133 ms against 53–62 bundled, docs/
// performance.md). Modules loaded on demand (the control API, HAR, diff, probe-mtls, p12)
// stay separate chunks, so a plain `pinprobe proxy` does not load them. node_modules stay
// external: the packaged app ships them as they are.
import { build } from 'esbuild';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `node scripts/bundle-cli.js [ROOT]`: ROOT is the checkout (or a staged copy) holding dist/.
const root = process.argv[2] ?? dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'proxy', 'cli.js');
// Same depth as dist/proxy/cli.js: cli.ts finds package.json and renderer/dist two folders up.
const outdir = join(root, 'dist', 'cli');

if (!existsSync(entry)) {
  process.stderr.write(`bundle-cli: ${entry} is missing; run "tsc -p tsconfig.json" in ${root} first\n`);
  process.exit(2);
}
rmSync(outdir, { recursive: true, force: true });
try {
  const result = await build({
    absWorkingDir: root,
    metafile: true,
    entryPoints: { pinprobe: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // tsc's maps are read in, so a stack trace still leads to proxy/*.ts.
    sourcemap: true,
    logLevel: 'warning',
  });
  // The files the bundle was made from, for bin/pinprobe.js to check it is not older than
  // any of them (a `tsc --watch` rewrites only the files that changed).
  const inputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('dist/'));
  writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify(inputs)}\n`);
} catch (err) {
  // esbuild has printed the errors; a half-written bundle must not be run by bin/pinprobe.js.
  rmSync(outdir, { recursive: true, force: true });
  process.stderr.write(`bundle-cli: bundling ${entry} failed (${err instanceof Error ? err.message.split('\n')[0] : err}); bin/pinprobe.js falls back to dist/proxy/cli.js\n`);
  process.exit(1);
}
