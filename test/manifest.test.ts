// Both front ends run the same core, so they must assign identical IDs, paths, kinds, captures and
// source locations (line and column in the original .ts file). Body hashes (and so build IDs)
// may differ: each front end hashes the function's JavaScript as its compiler emitted it (esbuild's
// or tsc's; README, Design).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { build, tmp } from './support/build.js';

interface Manifest { buildId: string; modules: { file: string; functions: Record<string, unknown>[] }[] }

/** The manifest without what depends on the compiled text. */
const comparable = (m: Manifest) => m.modules.map((mod) => ({ ...mod, functions: mod.functions.map(({ bodyHash, ...f }) => f) }));

it.each(['fixtures/cases/forms.ts', 'fixtures/programs/entry-once.ts'])('esbuild and tspc give identical manifests for %s', async (entry) => {
  const read = async (flavor: 'esbuild' | 'tspc'): Promise<Manifest> => {
    await build(entry, flavor, '-manifest');
    const dir = path.join(tmp, flavor, path.basename(entry, '.ts') + '-manifest');
    return JSON.parse(readFileSync(path.join(dir, 'teleport-manifest.json'), 'utf8'));
  };
  const esb = await read('esbuild');
  const tsc = await read('tspc');
  expect(esb.modules.length).toBeGreaterThan(1);
  expect(esb.modules.flatMap((m) => m.functions).length).toBeGreaterThan(3);
  expect(comparable(tsc)).toEqual(comparable(esb));
  for (const m of [esb, tsc]) for (const f of m.modules.flatMap((x) => x.functions)) expect(f.bodyHash).toMatch(/^[0-9a-f]{16}$/);
});
