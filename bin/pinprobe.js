#!/usr/bin/env node
// The published entry point: runs the compiled CLI. A checkout builds it on `npm ci` (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'proxy', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`pinprobe: ${cli} is missing; run "npm run build" in ${root} first\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
await main(process.argv);
