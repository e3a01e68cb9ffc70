// Rebuilds of one esbuild context, with and without the Teleport plugin, on the codebase the build
// benchmark generates (run `node bench/run.mjs --groups build --quick` once to create it): the first
// build, then unchanged rebuilds, each with its wall time and the CPU of this process's threads
// (the plugin's share; esbuild's own work is in its Go process).
//
//   node bench/src/rebuild-esbuild.mjs [rebuilds=4]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = path.join(root, 'bench/.out/build/gen/src/main.ts');
if (!existsSync(entry)) throw new Error(`no generated codebase at ${entry}: run \`node bench/run.mjs --groups build --quick\` first`);
const { teleport } = await import('../../dist/plugins/esbuild/index.js');
const rebuilds = Number(process.argv[2] ?? 4);

for (const variant of ['esbuild', 'esbuild+teleport']) {
  const ctx = await esbuild.context({
    entryPoints: [entry], outdir: path.join(root, 'bench/.out/rebuild', variant), bundle: true, format: 'esm', platform: 'node',
    target: 'node20', sourcemap: true, logLevel: 'error', external: ['teleport', 'teleport/*'],
    plugins: variant === 'esbuild+teleport' ? [teleport({ root })] : [],
  });
  const runs = [];
  for (let i = 0; i <= rebuilds; i++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    await ctx.rebuild();
    const used = process.cpuUsage(cpu);
    runs.push(`${Math.round(performance.now() - t)} ms (${Math.round((used.user + used.system) / 1000)} ms CPU here)`);
  }
  await ctx.dispose();
  console.log(`${variant}: first build ${runs[0]}; unchanged rebuilds ${runs.slice(1).join(', ')}`);
}
