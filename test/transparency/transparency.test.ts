// Transparency on real third-party code: acorn, marked and immer, as installed from npm, compiled
// with the esbuild plugin and with tspc (allowJs), must give byte-identical results to the
// original package on substantial workloads, and functions from the compiled programs must give
// the same results when sent to workers. Every run is a fresh process; the outputs are hashes.
// Timings (median over TRANSPARENCY_REPS processes, default 1, of the fastest of TRANSPARENCY_ITER
// iterations, default 1) and build statistics are written to test/.tmp/transparency/results.{json,md}
// (and to $TRANSPARENCY_RESULTS when set): `npm run transparency:results` measures with 5 x 3.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acornInput, build, countUnits, lineCount, packageFunctions, packagesOf, repo, run, tmp, type Built, type Flavor } from './build.js';

// mathjs (66k lines with its ESM dependencies; its builds take about a minute) only with
// TRANSPARENCY_LARGE=1 (`npm run test:transparency:large`, and `npm run transparency:results`)
const large = process.env.TRANSPARENCY_LARGE === '1';
const packages = ['acorn', 'marked', 'immer', 'rxjs', ...(large ? ['mathjs'] : [])];
const flavors: Flavor[] = ['original', 'plain', 'esbuild', 'tsc', 'tspc'];
// fresh processes per build for the timings, and workload iterations per process (the fastest counts)
const REPS = Math.max(1, Number(process.env.TRANSPARENCY_REPS ?? 1));
const ITER = Math.max(1, Number(process.env.TRANSPARENCY_ITER ?? 1));
const ACORN_BYTES = Number(process.env.TRANSPARENCY_ACORN_BYTES ?? 2_500_000);

interface PackageResult {
  pkg: string;
  version: string;
  /** other packages compiled with it (name@version) */
  with: string[];
  files: string[];
  lines: number;
  bytes: number;
  /** manifest entries of the package's files per compiled build; `expected`: counted independently */
  functions: { esbuild: number; tspc: number; unsendable: number; expected: number };
  build: Record<Exclude<Flavor, 'original'>, number>;
  /** per flavor: median workload CPU time and wall time (ms), and all samples */
  cpu: Record<Flavor, number>;
  /** per flavor: the fastest process's CPU time (ms) */
  cpuMin: Record<Flavor, number>;
  ms: Record<Flavor, number>;
  samples: Record<Flavor, { cpu: number; ms: number }[]>;
  identical: boolean;
  hash: string;
  stats: Record<string, unknown>;
  pool: { name: string; same: boolean; matchesOracle: boolean }[];
}
const results: PackageResult[] = [];

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

describe.each(packages)('%s', (pkg) => {
  const builds = {} as Record<Flavor, Built>;
  let env: Record<string, string> = {};
  let result: PackageResult;
  const shapes: Partial<Record<Flavor, string[]>> = {};

  beforeAll(async () => {
    env = pkg === 'acorn' ? { TP_FILES: acornInput(ACORN_BYTES) } : {};
    for (const f of flavors) builds[f] = await build(pkg, f);
    const esb = packageFunctions(builds.esbuild.manifest!, pkg);
    const tsp = packageFunctions(builds.tspc.manifest!, pkg);
    const versionOf = (p: string) => (JSON.parse(readFileSync(path.join(repo, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
    result = {
      pkg, version: versionOf(pkg), with: packagesOf(pkg).slice(1).map((p) => `${p} ${versionOf(p)}`),
      files: builds.original.packageFiles.map((f) => path.relative(repo, f)),
      lines: lineCount(builds.original.packageFiles),
      bytes: builds.original.packageFiles.reduce((sum, f) => sum + statSync(f).size, 0),
      functions: { esbuild: esb.functions, tspc: tsp.functions, unsendable: esb.unsendable, expected: 0 },
      build: { plain: builds.plain.buildMs, esbuild: builds.esbuild.buildMs, tsc: builds.tsc.buildMs, tspc: builds.tspc.buildMs },
      cpu: {} as PackageResult['cpu'], cpuMin: {} as PackageResult['cpuMin'], ms: {} as PackageResult['ms'], samples: {} as PackageResult['samples'], identical: false, hash: '', stats: {}, pool: [],
    };
    for (const f of builds.original.packageFiles) result.functions.expected += await countUnits(f);
    results.push(result);
  }, 600_000); // (mathjs: five builds of 66k lines on a shared 2-core machine)

  it('compiles with both front ends, every function of the package instrumented, no diagnostics', () => {
    expect(builds.esbuild.warnings).toEqual([]);
    expect(builds.tspc.warnings).toEqual([]);
    expect(result.functions.esbuild).toBeGreaterThan(50);
    expect(result.functions.esbuild).toBe(result.functions.expected);
    expect(result.functions.tspc).toBe(result.functions.expected);
    expect(result.functions.unsendable).toBe(0);
  });

  it('gives byte-identical results to the original package (esbuild and tspc, each against its plain toolchain too)', { timeout: 120_000 + REPS * ITER * 60_000 }, () => {
    const samples = Object.fromEntries(flavors.map((f) => [f, [] as { cpu: number; ms: number }[]])) as PackageResult['samples'];
    // per flavor and output line (the workload, 'async', ...): the hashes seen; 'shape' apart
    const outputs = Object.fromEntries(flavors.map((f) => [f, {} as Record<string, string[]>])) as Record<Flavor, Record<string, string[]>>;
    let stats: Record<string, unknown> = {};
    // interleaved, so that drift in machine load hits every flavor alike
    for (let rep = 0; rep < REPS; rep++) {
      for (const f of flavors) {
        const shapeOut = path.join(tmp, `shape-${pkg}-${f}.txt`);
        const r = run(builds[f].entry, { ...env, TP_WORK: 'local', TP_ITER: String(ITER), ...(rep === 0 ? { TP_SHAPE_OUT: shapeOut } : {}) });
        expect(r.stderr, `${f} stderr`).toBe('');
        expect(r.status, `${f} exit status`).toBe(0);
        const line = r.lines.find((l) => l.name === pkg);
        expect(line, `${f} output`).toBeDefined();
        const { name: _n, hash: _h, ms, cpu, ...rest } = line as { name: string; hash: string; ms: number; cpu: number };
        samples[f].push({ cpu, ms });
        stats = rest;
        for (const l of r.lines) {
          const seen = (outputs[f][String(l.name)] ??= []);
          if (!seen.includes(String(l.hash))) seen.push(String(l.hash));
        }
        if (rep === 0) shapes[f] = readFileSync(shapeOut, 'utf8').split('\n');
      }
    }
    result.samples = samples;
    result.cpu = Object.fromEntries(flavors.map((f) => [f, median(samples[f].map((x) => x.cpu))])) as Record<Flavor, number>;
    result.cpuMin = Object.fromEntries(flavors.map((f) => [f, Math.min(...samples[f].map((x) => x.cpu))])) as Record<Flavor, number>;
    result.ms = Object.fromEntries(flavors.map((f) => [f, median(samples[f].map((x) => x.ms))])) as Record<Flavor, number>;
    result.stats = stats;
    // every output but the API shape must be the original's, in every build and every run
    const nonShape = (f: Flavor) => Object.fromEntries(Object.entries(outputs[f]).filter(([name]) => name !== 'shape'));
    const oracle = nonShape('original');
    expect(Object.keys(oracle)).toContain(pkg);
    for (const f of flavors) expect(nonShape(f), `outputs of the ${f} build`).toEqual(oracle);
    result.hash = oracle[pkg]![0]!;
    result.identical = true;
  });

  it("keeps the package's API surface (names, lengths, descriptors, prototypes) as its plain toolchain builds it", () => {
    // (compared within a toolchain: esbuild's bundle renames some functions, `Parser` → `Parser2`)
    const firstDifferences = (a: string[], b: string[]) => a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y).slice(0, 5);
    expect(shapes.plain?.length, 'shapes were recorded').toBeGreaterThan(10);
    expect(firstDifferences(shapes.esbuild!, shapes.plain!), 'esbuild+Teleport vs plain esbuild').toEqual([]);
    expect(shapes.esbuild!.length).toBe(shapes.plain!.length);
    expect(firstDifferences(shapes.tspc!, shapes.tsc!), 'tspc+Teleport vs tsc').toEqual([]);
    expect(shapes.tspc!.length).toBe(shapes.tsc!.length);
  });

  it('functions of the compiled program sent through the pool give the original local results', () => {
    const oracle = run(builds.original.entry, { ...env, TP_WORK: 'pool', TP_NOPOOL: '1' });
    expect(oracle.stderr).toBe('');
    expect(oracle.lines.at(-1)?.name).toBe('done');
    for (const f of ['esbuild', 'tspc'] as const) {
      const r = run(builds[f].entry, { ...env, TP_WORK: 'pool' });
      expect(r.stderr, `${f} stderr`).toBe('');
      expect(r.lines.map((l) => ({ ...l, flavor: f }))).toEqual(oracle.lines.map((l) => ({ ...l, flavor: f })));
      if (f === 'esbuild') {
        result.pool = r.lines.filter((l) => l.name !== 'done').map((l, i) => ({
          name: String(l.name), same: l.same === true, matchesOracle: l.hash === oracle.lines[i]?.hash,
        }));
      }
    }
  });
});

afterAll(() => {
  mkdirSync(tmp, { recursive: true });
  const json = JSON.stringify({ reps: REPS, iterations: ITER, node: process.version, results }, null, 2) + '\n';
  writeFileSync(path.join(tmp, 'results.json'), json);
  const md = markdown(results.filter((r) => r.cpu.plain !== undefined)); // (a filtered run may skip the timings)
  writeFileSync(path.join(tmp, 'results.md'), md);
  if (process.env.TRANSPARENCY_RESULTS && results.length === packages.length && results.every((r) => r.identical)) {
    // the table goes between the markers of the file, whose other text is kept
    const file = path.resolve(repo, process.env.TRANSPARENCY_RESULTS);
    const [begin, end] = ['<!-- results:begin -->', '<!-- results:end -->'];
    const text = existsSync(file) ? readFileSync(file, 'utf8') : `${begin}\n${end}\n`;
    const at = text.indexOf(begin);
    const to = text.indexOf(end);
    writeFileSync(file, at >= 0 && to > at ? text.slice(0, at + begin.length) + '\n' + md + text.slice(to) : text + `\n${begin}\n${md}${end}\n`);
  }
});

function markdown(rs: PackageResult[]): string {
  const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(3) + 'x' : '-');
  const n = (x: number) => x.toLocaleString('en-US');
  const out: string[] = [];
  out.push('| package | compiled: lines (bytes) | functions + classes instrumented | results vs original | pool: sent functions agree | workload CPU: plain → esbuild+Teleport | tsc → tspc+Teleport | build esbuild: without → with | build tsc: without → with |');
  out.push('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rs) {
    out.push(`| ${r.pkg} ${r.version}${r.with.length ? ` (with ${r.with.join(', ')})` : ''} | ${n(r.lines)} (${n(r.bytes)}) | ${n(r.functions.esbuild)}${r.functions.unsendable ? ` (${r.functions.unsendable} unsendable)` : ''} | ${r.identical ? 'byte-identical (5 builds)' : '**DIFFERENT**'} | ${r.pool.filter((p) => p.same && p.matchesOracle).length}/${r.pool.length} | ${ms(r.cpu.plain)} → ${ms(r.cpu.esbuild)} ms (**${ratio(r.cpu.esbuild, r.cpu.plain)}**) | ${ms(r.cpu.tsc)} → ${ms(r.cpu.tspc)} ms (**${ratio(r.cpu.tspc, r.cpu.tsc)}**) | ${ms(r.build.plain)} → ${ms(r.build.esbuild)} ms | ${ms(r.build.tsc)} → ${ms(r.build.tspc)} ms |`);
  }
  out.push('');
  out.push(`Workload times: CPU time of the workload (process.cpuUsage around it, module loading excluded), the fastest of ${ITER} iteration${ITER > 1 ? 's' : ''} in a process, median of ${REPS} fresh process${REPS > 1 ? 'es' : ''} per build, builds interleaved. Fastest process (CPU): ${rs.map((r) => `${r.pkg} ${ratio(r.cpuMin.esbuild, r.cpuMin.plain)} (esbuild), ${ratio(r.cpuMin.tspc, r.cpuMin.tsc)} (tspc)`).join('; ')}. Wall-clock medians (same runs): ${rs.map((r) => `${r.pkg} ${ms(r.ms.plain)} → ${ms(r.ms.esbuild)} ms (${ratio(r.ms.esbuild, r.ms.plain)}), ${ms(r.ms.tsc)} → ${ms(r.ms.tspc)} ms (${ratio(r.ms.tspc, r.ms.tsc)})`).join('; ')}. The original package from node_modules: ${rs.map((r) => `${r.pkg} ${ms(r.cpu.original)} ms`).join(', ')}. Node ${process.version}.`);
  return out.join('\n') + '\n';
}
