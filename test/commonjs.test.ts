// CommonJS modules are left as written and reported (file:line) by the core and the esbuild
// plugin; ES modules, including ones that make their own `require`, are instrumented.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { transformModule } from '../dist/transformer/core/index.js';
import { teleport } from '../dist/plugins/esbuild/index.js';

const root = '/project';
const run = (code: string, file: string) => transformModule(code, path.join(root, file), { root });

describe('CommonJS modules', () => {
  it.each([
    ['a .cjs file', 'lib/a.cjs', 'exports.f = function () { return 1; };\n', 1, 1, 'a .cjs file'],
    ['module.exports in a .js file', 'lib/b.js', "const dep = require('dep');\nmodule.exports = () => dep;\n", 1, 13, '`require`'],
    ['exports.x in a .js file', 'lib/c.js', "'use strict';\nexports.add = (a, b) => a + b;\n", 2, 1, '`exports`'],
    ['TypeScript import = require', 'lib/d.ts', "import fs = require('fs');\nexport const f = () => fs;\n", 1, 1, '`import … = require()`'],
  ])('%s is left as written, with a warning at its first CommonJS use', (_name, file, code, line, column, what) => {
    const r = run(code, file);
    expect(r.code).toBe(code);
    expect(r.manifest.functions).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'warning', file, line, column });
    expect(r.diagnostics[0]!.message).toContain(`CommonJS module (${what}) left as written`);
  });

  it.each([
    ['an ES module that makes its own require', "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nexport const f = () => require('x');\n"],
    ['a file with no module syntax and no CommonJS use', 'function twice(x) { return 2 * x; }\nglobalThis.twice = twice;\n'],
    ['a file that declares its own module variable', 'const module = { id: 1 };\nexport const f = () => module.id;\n'],
  ])('%s is instrumented', (_name, code) => {
    const r = run(code, 'src/m.ts');
    expect(r.code).not.toBe(code);
    expect(r.manifest.functions.length).toBeGreaterThan(0);
    expect(r.diagnostics).toEqual([]);
  });

  it('the esbuild plugin reports it, and the bundle runs unchanged', async () => {
    // inside the repository, so that the bundle's `teleport/hooks` import resolves to this package
    const dir = path.resolve(import.meta.dirname, '.tmp/commonjs');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'helper.cjs'), 'let calls = 0;\nmodule.exports = { next: () => ++calls };\n');
    // TypeScript's `export =`, which esbuild compiles to `module.exports = …` before the core sees it
    writeFileSync(path.join(dir, 'legacy.ts'), "// a TypeScript CommonJS module\nconst answer = { value: () => 42 };\nexport = answer;\n");
    writeFileSync(path.join(dir, 'main.ts'), "import helper from './helper.cjs';\nimport legacy from './legacy.js';\nhelper.next();\nconsole.log(JSON.stringify({ n: helper.next() + legacy.value() }));\n");
    const result = await esbuild.build({
      entryPoints: [path.join(dir, 'main.ts')], outdir: path.join(dir, 'out'), bundle: true, format: 'esm', platform: 'node',
      logLevel: 'silent', absWorkingDir: dir, plugins: [teleport({ root: dir })],
    });
    expect(result.warnings.map((w) => [w.text, w.location?.file, w.location?.line])).toEqual([
      [expect.stringContaining('CommonJS module (a .cjs file) left as written'), 'helper.cjs', 1],
      [expect.stringContaining('CommonJS module (`export =`) left as written'), 'legacy.ts', 3],
    ]);
    const out = spawnSync(process.execPath, [path.join(dir, 'out/main.js')], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ n: 44 });
  });
});
