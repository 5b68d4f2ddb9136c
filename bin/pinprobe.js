#!/usr/bin/env node
// The published entry point: runs the compiled CLI. A checkout builds it on `npm ci` (prepare).
// The bundle (dist/cli/, scripts/bundle-cli.js) starts faster; it is used only when it is at
// least as new as tsc's output, so a tsc run without the bundle step never runs stale code.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'proxy', 'cli.js');
const bundle = join(root, 'dist', 'cli', 'pinprobe.js');
if (!existsSync(cli)) {
  process.stderr.write(`pinprobe: ${cli} is missing; run "npm run build" in ${root} first\n`);
  process.exit(2);
}
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(cli).mtimeMs;
const { main } = await import(pathToFileURL(fresh ? bundle : cli).href);
await main(process.argv);
