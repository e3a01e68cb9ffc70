// One esbuild build of the generated codebase for bench/build.mjs, in its own process, as a user's
// build script runs it: bundle, esm, platform node, with or without the Teleport plugin.
//
//   node bench/src/build-esbuild.mjs <esbuild|esbuild+teleport> <entry.ts> <outdir>
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const [variant, entry, outdir] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const plugins = variant === 'esbuild+teleport' ? [(await import('../../dist/plugins/esbuild/index.js')).teleport({ root })] : [];
await esbuild.build({
  entryPoints: [entry], outdir, bundle: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: true,
  logLevel: 'error', external: ['teleport', 'teleport/*'], plugins,
});
