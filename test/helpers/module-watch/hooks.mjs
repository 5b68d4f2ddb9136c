// Module resolve hook (runs in the loader thread): appends every resolved URL that contains
// MODULE_WATCH_NEEDLE to the file MODULE_WATCH_LOG. Used to prove a start imports no node-forge.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const needle = process.env.MODULE_WATCH_NEEDLE;
  if (needle && result.url.includes(needle)) appendFileSync(process.env.MODULE_WATCH_LOG, `${result.url}\n`);
  return result;
}
