// bin/pinprobe.js runs the bundled CLI (dist/cli/, scripts/bundle-cli.js) only while it is at
// least as new as every tsc output file it was made from (dist/cli/inputs.json): an engine
// compiled without the bundle step, or one file rewritten by `tsc --watch`, must never be
// shadowed by an older bundle. The build the suite runs makes a current bundle, so every
// test that spawns bin/pinprobe.js runs what users run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'pinprobe-bin-entry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of bin/pinprobe.js beside two stand-in CLIs that say which one ran. */
function stage(): string {
  const dir = mkdtempSync(join(scratch, 'root-'));
  mkdirSync(join(dir, 'bin'));
  cpSync(join(ROOT, 'bin', 'pinprobe.js'), join(dir, 'bin', 'pinprobe.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [rel, name] of [['dist/proxy/cli.js', 'tsc'], ['dist/cli/pinprobe.js', 'bundle']] as const) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), `export async function main(argv) { process.stdout.write('${name} ' + argv.slice(2).join(' ')); }\n`);
  }
  mkdirSync(join(dir, 'dist', 'proxy', 'net'));
  writeFileSync(join(dir, 'dist', 'proxy', 'net', 'relay.js'), 'export {};\n');
  writeFileSync(join(dir, 'dist', 'cli', 'inputs.json'), JSON.stringify(['dist/proxy/net/relay.js', 'dist/proxy/cli.js']));
  // As a build leaves them: every input older than the bundle.
  setMtime(join(dir, 'dist/proxy/cli.js'), 60);
  setMtime(join(dir, 'dist/proxy/net/relay.js'), 60);
  setMtime(join(dir, 'dist/cli/pinprobe.js'), 10);
  return dir;
}

function setMtime(path: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
}

const run = (dir: string) => spawnSync(process.execPath, [join(dir, 'bin', 'pinprobe.js'), 'report', 'x.jsonl'], { encoding: 'utf8' });

describe('bin/pinprobe.js', () => {
  it('runs the bundle when it is as new as every file it was made from, with the arguments passed on', () => {
    const dir = stage();
    const r = run(dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('bundle report x.jsonl');
    // Equal times (a coarse file-system clock) still count as current.
    const made = statSync(join(dir, 'dist/cli/pinprobe.js')).mtime;
    utimesSync(join(dir, 'dist/proxy/cli.js'), made, made);
    expect(run(dir).stdout).toBe('bundle report x.jsonl');
  });

  it('runs tsc output when tsc ran again without the bundle step', () => {
    const dir = stage();
    setMtime(join(dir, 'dist/proxy/cli.js'), 0);
    expect(run(dir).stdout).toBe('tsc report x.jsonl');
  });

  it('runs tsc output when any one input is newer than the bundle (tsc --watch rewrote it)', () => {
    const dir = stage();
    setMtime(join(dir, 'dist/proxy/net/relay.js'), 0);
    expect(run(dir).stdout).toBe('tsc report x.jsonl');
  });

  it('runs tsc output when the bundle, its input list or one of its inputs is missing', () => {
    const missingInput = stage();
    rmSync(join(missingInput, 'dist', 'proxy', 'net', 'relay.js'));
    expect(run(missingInput).stdout).toBe('tsc report x.jsonl');
    const noList = stage();
    rmSync(join(noList, 'dist', 'cli', 'inputs.json'));
    expect(run(noList).stdout).toBe('tsc report x.jsonl');
    const noBundle = stage();
    rmSync(join(noBundle, 'dist', 'cli'), { recursive: true });
    expect(run(noBundle).stdout).toBe('tsc report x.jsonl');
  });

  it('names the missing build when there is no compiled CLI at all', () => {
    const dir = stage();
    rmSync(join(dir, 'dist'), { recursive: true });
    const r = run(dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(dir, 'dist', 'proxy', 'cli.js'));
    expect(r.stderr).toContain('npm run build');
  });

  it('this checkout has a current bundle, and it runs', () => {
    const bundle = join(ROOT, 'dist', 'cli', 'pinprobe.js');
    const inputs = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toContain('dist/proxy/cli.js');
    expect(inputs.length).toBeGreaterThan(50);
    for (const f of inputs) expect(statSync(join(ROOT, f)).mtimeMs).toBeLessThanOrEqual(statSync(bundle).mtimeMs);
    const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => m.main([process.execPath, 'pinprobe', '--version']))`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
