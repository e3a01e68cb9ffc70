// Transparency builds: a workload program (test/transparency/workloads/<pkg>.mjs) together with the
// shipped ESM code of a real npm package, built five ways into test/.tmp/transparency:
//   original  node runs the workload as it is, importing the package from node_modules (the oracle)
//   plain     esbuild bundle, no transform          esbuild   esbuild bundle + the Teleport plugin
//   tsc       tsc (allowJs), no transform           tspc      tsc (allowJs) + the Teleport transformer
// The compiled flavors instrument the package's files as well as the workload's. tsc never emits
// files that live in node_modules, so the tsc flavors compile a copy of the package's files (the
// ones esbuild's metafile says the bundle uses) placed next to the workload.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { teleport } from '../../dist/plugins/esbuild/index.js';
import type { BuildManifest } from '../../dist/transformer/core/index.js';

export const repo = path.resolve(import.meta.dirname, '../..');
export const tmp = path.join(repo, 'test/.tmp/transparency');
const workloads = path.join(repo, 'test/transparency/workloads');

export type Flavor = 'original' | 'plain' | 'esbuild' | 'tsc' | 'tspc';
export const compiledFlavors = ['esbuild', 'tspc'] as const;

export interface Built {
  flavor: Flavor;
  /** the JS file to run */
  entry: string;
  /** wall time of the build (0 for 'original') */
  buildMs: number;
  /** compiled flavors: the build manifest */
  manifest?: BuildManifest;
  /** files of the package the build includes (absolute paths in node_modules) */
  packageFiles: string[];
  /** build warnings (esbuild messages or tsc's stderr) */
  warnings: string[];
}

const packageDir = (pkg: string) => path.join(repo, 'node_modules', pkg);

/**
 * How a package is built, when esbuild's defaults are not what the builds must compile. `resolve`
 * maps import specifiers to files under node_modules: rxjs resolves to its CommonJS build under
 * node, so the builds compile its ESM build (dist/esm) while the original, run by node, uses the
 * CommonJS one (the same sources, compiled by rxjs's own build); typed-function's `main` is a UMD
 * file, its ESM build is compiled instead. `compile`: other packages compiled with it (mathjs's ESM
 * dependencies: its values and typed functions are made by them).
 */
interface PackageSpec { resolve?: Record<string, string>; compile?: string[] }
export const specs: Record<string, PackageSpec> = {
  rxjs: { resolve: { rxjs: 'rxjs/dist/esm/index.js', 'rxjs/testing': 'rxjs/dist/esm/testing/index.js' } },
  mathjs: {
    resolve: { 'typed-function': 'typed-function/lib/esm/typed-function.mjs' },
    compile: ['typed-function', 'complex.js', 'fraction.js', 'decimal.js'],
  },
};

/** The packages a build compiles for `pkg`: itself first. */
export const packagesOf = (pkg: string): string[] => [pkg, ...(specs[pkg]?.compile ?? [])];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** esbuild plugin applying a spec's `resolve`. */
function resolvePlugin(pkg: string): esbuild.Plugin[] {
  const map = specs[pkg]?.resolve;
  if (!map) return [];
  return [{
    name: 'transparency-resolve',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${Object.keys(map).map(escape).join('|')})$`) }, (args) => ({ path: path.join(repo, 'node_modules', map[args.path]!) }));
    },
  }];
}

/** The package files a bundle of the workload uses, and the imports of every input (from esbuild's metafile). */
interface Inputs { packageFiles: string[]; imports: Map<string, { original: string; path: string }[]> }

export async function build(pkg: string, flavor: Flavor): Promise<Built> {
  const source = path.join(workloads, `${pkg}.mjs`);
  const inputs = await filesOf(pkg, source);
  const packageFiles = inputs.packageFiles;
  if (flavor === 'original') return { flavor, entry: source, buildMs: 0, packageFiles, warnings: [] };
  const outdir = path.join(tmp, flavor, pkg);
  rmSync(outdir, { recursive: true, force: true });
  if (flavor === 'tsc' || flavor === 'tspc') return buildTsc(pkg, flavor, source, inputs, outdir);
  const t0 = performance.now();
  const result = await esbuild.build({
    entryPoints: [source], bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node20',
    outdir, sourcemap: true, logLevel: 'silent', external: ['teleport', 'teleport/*'],
    plugins: [
      ...resolvePlugin(pkg),
      ...(flavor === 'esbuild'
        ? [teleport({ root: repo, nodeModules: true, include: new RegExp(`[\\\\/](test[\\\\/]transparency[\\\\/]workloads|node_modules[\\\\/](${packagesOf(pkg).map(escape).join('|')}))[\\\\/]`) })]
        : []),
    ],
  });
  const buildMs = performance.now() - t0;
  const warnings = result.warnings.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`);
  const manifest = flavor === 'esbuild' ? JSON.parse(readFileSync(path.join(outdir, 'teleport-manifest.json'), 'utf8')) as BuildManifest : undefined;
  return { flavor, entry: path.join(outdir, `${pkg}.js`), buildMs, manifest, packageFiles, warnings };
}

async function filesOf(pkg: string, source: string): Promise<Inputs> {
  const r = await esbuild.build({
    entryPoints: [source], bundle: true, format: 'esm', platform: 'node', write: false, metafile: true, logLevel: 'silent',
    external: ['teleport', 'teleport/*'], outdir: path.join(tmp, 'meta'), plugins: resolvePlugin(pkg), absWorkingDir: repo,
  });
  const dirs = packagesOf(pkg).map((p) => packageDir(p) + path.sep);
  const imports = new Map<string, { original: string; path: string }[]>();
  for (const [f, input] of Object.entries(r.metafile.inputs)) {
    imports.set(path.resolve(repo, f), input.imports.filter((i) => i.original !== undefined && !i.external)
      .map((i) => ({ original: i.original!, path: path.resolve(repo, i.path) })));
  }
  return { packageFiles: [...imports.keys()].filter((f) => dirs.some((d) => f.startsWith(d))).sort(), imports };
}

/**
 * The text of `file` with each import specifier that resolves to one of `copies` (original path →
 * path of its copy) replaced by the relative path of that copy, so that tsc compiles the copies
 * (and node runs them: rxjs's ESM imports are extensionless).
 */
function pointAtCopies(file: string, to: string, inputs: Inputs, copies: Map<string, string>): string {
  let text = readFileSync(file, 'utf8');
  for (const i of inputs.imports.get(file) ?? []) {
    const target = copies.get(i.path);
    if (!target) continue;
    let rel = path.relative(path.dirname(to), target).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = './' + rel;
    const quoted = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(?\\s*)(['"])${escape(i.original)}\\2`, 'g');
    text = text.replace(quoted, (_m, kw: string, q: string) => `${kw}${q}${rel}${q}`);
  }
  return text;
}

function buildTsc(pkg: string, flavor: 'tsc' | 'tspc', source: string, inputs: Inputs, outdir: string): Built {
  // the program: src/<pkg>.mjs (importing the copy), src/common.mjs, src/vendor/<pkg>/<files>
  const src = path.join(tmp, 'src', flavor, pkg);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const { packageFiles } = inputs;
  const copies = new Map(packageFiles.map((f) => [f, path.join(src, 'vendor', path.relative(path.join(repo, 'node_modules'), f))]));
  for (const [f, to] of copies) {
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, pointAtCopies(f, to, inputs, copies));
  }
  // the workload's modules, their imports of the package pointed at the copy
  for (const f of readdirSync(workloads).filter((f) => f === 'common.mjs' || f === `${pkg}.mjs` || f.startsWith(`${pkg}-`))) {
    const from = path.join(workloads, f);
    const text = readFileSync(from, 'utf8');
    const rewritten = pointAtCopies(from, path.join(src, f), inputs, copies);
    if (f === `${pkg}.mjs` && rewritten === text) throw new Error(`${source}: no import of the package to point at the copy`);
    writeFileSync(path.join(src, f), rewritten);
  }

  mkdirSync(outdir, { recursive: true });
  const tsconfig = path.join(outdir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true, checkJs: false, sourceMap: true, skipLibCheck: true,
      rootDir: src, outDir: outdir, types: [],
      plugins: flavor === 'tspc' ? [{ transform: path.join(repo, 'dist/transformer/tspatch.js'), transformProgram: true, root: repo }] : [],
    },
    files: [path.join(src, `${pkg}.mjs`)],
  }, null, 2));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/ts-patch/bin/tspc.js'), '-p', tsconfig], { encoding: 'utf8' });
  const buildMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${flavor} build of ${pkg} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  const manifest = flavor === 'tspc' ? JSON.parse(readFileSync(path.join(outdir, 'teleport-manifest.json'), 'utf8')) as BuildManifest : undefined;
  const warnings = (r.stdout + r.stderr).split('\n').filter((l) => l.trim());
  return { flavor, entry: path.join(outdir, `${pkg}.mjs`), buildMs, manifest, packageFiles, warnings };
}

export interface RunOutput { status: number | null; stdout: string; stderr: string; lines: Record<string, unknown>[] }

/** Runs a built program in a fresh process. */
export function run(file: string, env: Record<string, string>): RunOutput {
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 << 20 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines };
}

/** Lines of code in the given files. */
export function lineCount(files: string[]): number {
  let n = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    n += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  }
  return n;
}

/** Functions the manifest lists for the package's files (the workload's own excluded). */
export function packageFunctions(manifest: BuildManifest, pkg: string): { functions: number; unsendable: number; modules: number } {
  const mods = manifest.modules.filter((m) => packagesOf(pkg).some((p) => m.file.includes(`node_modules/${p}/`) || m.file.includes(`/vendor/${p}/`)));
  const fns = mods.flatMap((m) => m.functions);
  return { functions: fns.length, unsendable: fns.filter((f) => f.unsendable).length, modules: mods.length };
}

/**
 * The acorn workload's input: .js/.mjs/.cjs files under node_modules (none over 1 MB), sorted by
 * path and sampled at an even stride so that they add up to about `capBytes`; written to a JSON
 * file once, so that every flavor parses the same files.
 */
export function acornInput(capBytes: number): string {
  const files: [string, number][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.[cm]?js$/.test(e.name)) {
        const size = statSync(p).size;
        if (size <= 1 << 20) files.push([p, size]);
      }
    }
  };
  walk(path.join(repo, 'node_modules'));
  files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = files.reduce((n, f) => n + f[1], 0);
  const stride = Math.max(1, total / capBytes);
  const picked: string[] = [];
  for (let i = 0; i < files.length; i += stride) picked.push(files[Math.floor(i)]![0]);
  const out = path.join(tmp, 'acorn-files.json');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(out, JSON.stringify(picked));
  return out;
}

/**
 * Independent count (parsed with acorn, not with the transform's parser) of the functions and
 * classes a module defines that the transform must instrument: every function, arrow, class and
 * object-literal method/accessor, except class members (they travel with their class) and
 * functions called where they are defined (`(function () {…})()`, `(…).call(this)`).
 */
export async function countUnits(file: string): Promise<number> {
  const acorn = await import('acorn');
  const ast = acorn.parse(readFileSync(file, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as Record<string, unknown>;
  let n = 0;
  const visit = (node: Record<string, unknown>, parent: Record<string, unknown> | null, grand: Record<string, unknown> | null) => {
    const t = node.type;
    const invoked = !!parent && (((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) ||
      (parent.type === 'MemberExpression' && parent.object === node && /^(call|apply)$/.test(String((parent.property as { name?: string }).name)) &&
        grand?.type === 'CallExpression' && grand.callee === parent));
    if (t === 'FunctionDeclaration' || t === 'ClassDeclaration' || t === 'ClassExpression') n++;
    else if ((t === 'ArrowFunctionExpression' || t === 'FunctionExpression') && !invoked) {
      const isMember = parent?.type === 'MethodDefinition' || (parent?.type === 'Property' && (parent.method || parent.kind !== 'init'));
      if (!isMember || parent?.type === 'Property') n++; // an object-literal method is a unit of its own
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) for (const c of v) { if (c && typeof c.type === 'string') visit(c, node, parent); }
      else if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') visit(v as Record<string, unknown>, node, parent);
    }
  };
  visit(ast, null, null);
  return n;
}
