// Both front ends run the same core, so they must assign identical IDs, body hashes, positions and build IDs.
// The ts-patch front end runs the core on the JavaScript tsc emits (positions and body hashes re-anchored to the
// TS source), the esbuild front end on the TS source: a reference that only a type makes (`x: typeof Foo`) is a
// capture only in the latter, so tspc's captures are a subset of esbuild's.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { build, tmp } from './support/build.js';

it.each(['fixtures/cases/forms.ts', 'fixtures/programs/entry-once.ts'])('esbuild and tspc give identical manifests for %s', async (entry) => {
  const read = async (flavor: 'esbuild' | 'tspc') => {
    await build(entry, flavor, '-manifest');
    const dir = path.join(tmp, flavor, path.basename(entry, '.ts') + '-manifest');
    return JSON.parse(readFileSync(path.join(dir, 'teleport-manifest.json'), 'utf8'));
  };
  const esb = await read('esbuild');
  const tsc = await read('tspc');
  expect(esb.modules.length).toBeGreaterThan(1);
  expect(esb.modules.flatMap((m: { functions: unknown[] }) => m.functions).length).toBeGreaterThan(3);
  type Fn = { captures: string[] };
  type Manifest = { modules: { functions: Fn[] }[] };
  const withoutCaptures = (m: Manifest) => ({ ...m, modules: m.modules.map((mod) => ({ ...mod, functions: mod.functions.map(({ captures: _, ...f }) => f) })) });
  expect(withoutCaptures(tsc)).toEqual(withoutCaptures(esb));
  const esbFns = (esb as Manifest).modules.flatMap((m) => m.functions);
  (tsc as Manifest).modules.flatMap((m) => m.functions).forEach((f, i) => {
    for (const c of f.captures) expect(esbFns[i]!.captures).toContain(c);
  });
});
