// Builds a fixture program with the Teleport esbuild plugin (bundle, ESM, code splitting) and
// prints the output directory. Used by `npm run demo` and the test suite.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { teleport } from '../dist/plugins/esbuild/index.js';

export async function buildWithEsbuild(entry, outdir, { plugin = true } = {}) {
  await esbuild.build({
    entryPoints: [entry], bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node20',
    outdir, sourcemap: true, logLevel: 'error', plugins: plugin ? [teleport()] : [],
  });
  return path.join(outdir, path.basename(entry).replace(/\.ts$/, '.js'));
}
