// Preload for `node --import`: installs hooks.mjs.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
