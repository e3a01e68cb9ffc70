// `npm run demo`: builds fixtures/demo.ts (the README's headline example) with the esbuild
// plugin and runs it on a local pool of worker threads.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildWithEsbuild } from './build-fixture.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = await buildWithEsbuild(path.join(root, 'fixtures/demo.ts'), path.join(root, 'fixtures/out/demo'));
const r = spawnSync(process.execPath, [out], { stdio: 'inherit' });
process.exit(r.status ?? 1);
