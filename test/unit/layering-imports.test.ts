// Dependencies point down (docs/decisions.md "Dependencies point down"): the network layer
// imports nothing from the control API, the judge or the reports; observation code nothing
// from the judge; the engine only the control API's port types. Read from the source files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const proxy = join(root, 'proxy');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Every relative module a file names (import, export … from, import()), as a path under proxy/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(proxy, resolve(dirname(file), s)).replace(/\\/g, '/'));
}

function offenders(dir: string, forbidden: RegExp, allowed: (target: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const file of sources(dir)) {
    for (const target of importsOf(file)) {
      if (forbidden.test(target) && !allowed(target)) out.push(`${relative(root, file)} imports ${target}`);
    }
  }
  return out;
}

describe('import layering', () => {
  it('reads the imports it checks (the scanner is not blind)', () => {
    const seen = sources(join(proxy, 'net')).flatMap(importsOf);
    expect(seen).toContain('engine-bus.js');
    expect(seen).toContain('observe/upstream-failure.js');
  });

  it('proxy/net imports nothing from api/, judge/ or report/', () => {
    expect(offenders(join(proxy, 'net'), /^(api|judge|report)\//)).toEqual([]);
  });

  it('proxy/observe imports nothing from judge/, api/ or report/', () => {
    expect(offenders(join(proxy, 'observe'), /^(api|judge|report)\//)).toEqual([]);
  });

  it('the engine and its features take only the control API\'s port types from api/', () => {
    const engineFile = join(proxy, 'engine.ts');
    const fromEngine = importsOf(engineFile).filter((t) => t.startsWith('api/') && t !== 'api/engine-port.js');
    expect(fromEngine).toEqual([]);
    expect(offenders(join(proxy, 'features'), /^(api|judge|report)\//)).toEqual([]);
    expect(offenders(join(proxy, 'onboarding'), /^(api|judge|report)\//)).toEqual([]);
  });
});
