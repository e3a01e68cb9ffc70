// Both front ends run the same core, so they must assign identical IDs, body hashes and build IDs.
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
  expect(tsc).toEqual(esb);
});
