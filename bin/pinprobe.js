#!/usr/bin/env node
// The published entry point: runs the compiled CLI. A checkout builds it on `npm ci` (prepare).
// The bundle (dist/cli/, scripts/bundle-cli.js) starts faster; it is used only while it is at
// least as new as every file it was made from, so tsc output it does not hold yet (tsc run
// without the bundle step, a `tsc --watch` rewriting one file) is never shadowed by it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'proxy', 'cli.js');
const bundle = join(root, 'dist', 'cli', 'pinprobe.js');
if (!existsSync(cli)) {
  process.stderr.write(`pinprobe: ${cli} is missing; run "npm run build" in ${root} first\n`);
  process.exit(2);
}

/** Whether the bundle holds the current tsc output (any doubt: no). */
function bundleIsCurrent() {
  try {
    const made = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
    return inputs.length > 0 && inputs.every((f) => statSync(join(root, f)).mtimeMs <= made);
  } catch {
    return false;
  }
}

const { main } = await import(pathToFileURL(bundleIsCurrent() ? bundle : cli).href);
await main(process.argv);
