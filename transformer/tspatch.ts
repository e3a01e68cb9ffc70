// ts-patch Program transformer (`{ "transform": "teleport/transformer", "transformProgram": true }`): tsc compiles
// the user's program as it is (one Program: its type check, diagnostics, JS and .d.ts); the transformer hooks the
// program's emit, runs the Teleport core on each JS file tsc emits with tsc's source map as the core's `inputMap`
// (positions, diagnostics, tags and the output's map then point at the TS source, as in the esbuild plugin), names
// the output's map as tsc does (tspatch-maps.ts) and writes teleport-manifest.json next to the emitted JS. The core
// runs in worker threads (tspatch-workers.ts) while tsc goes on emitting; results are awaited when tsc's emit returns.
import * as path from 'node:path';
import type * as TS from 'typescript';
import { buildManifest, relativePath, shouldTransform, transformModule } from './core/index.js';
import { attempt } from './core/attempt.js';
import type { BuildManifest, Diagnostic as CoreDiagnostic, ModuleManifest, TransformOptions, TransformResult } from './core/types.js';
import { asTscMap, composeMaps, inlineComment, joinUrlComment, readInlineMap, splitUrlComment, type RawMap } from './tspatch-maps.js';
import { emitsEsm, lowersTopLevelUsing, transpileInstrumented } from './tspatch-source.js';
import { TransformPool, defaultWorkerCount, type JobResult, type PoolJob } from './tspatch-workers.js';

/** The part of the core this front end uses (injectable, for tests). */
export interface TeleportCore {
  transformModule(code: string, fileName: string, options?: TransformOptions): TransformResult;
  shouldTransform(fileName: string): boolean;
  buildManifest(modules: ModuleManifest[]): { manifest: BuildManifest; diagnostics: CoreDiagnostic[] };
}

/** Options of the tsconfig plugin entry (besides ts-patch's own `transform`, `transformProgram`, ...). */
export interface TeleportPluginConfig {
  [key: string]: unknown;
  /** project root used for IDs, resolved against the tsconfig's directory (default: the program's current dir) */
  root?: string;
  /** module the instrumented code imports its hooks from (default: the core's, 'teleport/hooks') */
  hooksModule?: string;
  /**
   * Where the core's warnings go. tsc exits non-zero on ANY diagnostic, warnings included, so by default they are
   * printed to stderr (tsc's format) after each emit and the build still succeeds; 'diagnostics' reports them as
   * Warning-category diagnostics of the emit (tspc then exits 2), 'ignore' drops them.
   */
  warnings?: 'print' | 'diagnostics' | 'ignore';
  /**
   * The program's entry scripts (the files node is started with), relative to the tsconfig's
   * directory. Without it any module may be the entry, so each carries both factory trees (the one
   * a worker uses to load the entry dry, and the one bound to a module's live scope). With it,
   * every other module carries only the live tree (smaller output) and
   * fails at once, with an error that says so, if node is started with it anyway.
   */
  entries?: string[];
  /**
   * Worker threads that run the transform while tsc emits (default: one per spare core, at most 2; none for a
   * program of fewer than 16 files). 0 runs it in tsc's thread. The output is the same either way. Anything but a
   * whole number >= 0 is an error of the build (the transform then runs in tsc's thread).
   */
  workers?: number;
}

/** Where the transform pool's workers come from: the worker module and the module whose transformModule they run. */
export interface WorkerModules {
  entry: URL;
  core: string;
  /** how long a worker with jobs may send nothing before it is taken for dead (default 60 s) */
  stallMs?: number;
  /** whether tsc's thread, once its emit is done, runs the jobs no worker has started yet (default true) */
  takeBack?: boolean;
}

/** Below this many files to transform, the default (no `workers` option) keeps the transform in tsc's thread. */
const SMALL_PROGRAM = 16;

/** What ts-patch passes as the 4th argument of a Program transformer. */
export interface ProgramTransformerExtras {
  ts: typeof TS;
}

export type ProgramTransformer = (
  program: TS.Program,
  host: TS.CompilerHost | undefined,
  config: TeleportPluginConfig,
  extras: ProgramTransformerExtras,
) => TS.Program;

export const MANIFEST_FILE_NAME = 'teleport-manifest.json';
/** Diagnostic codes: reported by the core (transform and duplicate IDs) / internal failures / manifest I/O. */
export const DIAGNOSTIC_CODE = 9901;
export const INTERNAL_ERROR_CODE = 9902;
export const WRITE_ERROR_CODE = 9903;

const DECLARATION_OUTPUT = /\.d\.([cm]?ts|[^.\\/]+\.ts)(\.map)?$/i;
const JS_OUTPUT = /\.[cm]?jsx?$/i;

type AnyFn = (...args: any[]) => any;
type Loose = Record<string, any>;

/** Core results by source file, kept across programs (watch mode re-transforms only files whose JS changed). */
type ResultCache = Map<string, CacheEntry>;
interface CacheEntry { input: string; source: string; mappings: string | undefined; options: string; result: JobResult }

/** What the core is asked for one module: `stamp` is what a cached result must match. */
interface ModuleJob { job: PoolJob; stamp: Omit<CacheEntry, 'result'> }

/** One writeFile call of tsc's emit, held until its JS files are instrumented. */
interface Output {
  fileName: string;
  text: string;
  bom: boolean;
  onError?: (message: string) => void;
  sourceFiles?: readonly TS.SourceFile[];
  data?: TS.WriteFileCallbackData & { sourceMapUrlPos?: number };
  /** a JS file's parts, once read (`null`: not a file to transform) */
  plan?: Plan | null;
}

/** A JS output taken apart for the core. */
interface Plan {
  code: string;
  comment: string;
  sf: TS.SourceFile;
  mapOutput: Output | undefined;
  tscMap: RawMap | undefined;
  fromSource: boolean;
}

/**
 * A program transformer over `core`. With `workers`, the transform runs in worker threads that load those modules
 * (they must do what `core.transformModule` does); without, always in tsc's thread.
 */
export function createProgramTransformer(core: TeleportCore, workers?: WorkerModules): ProgramTransformer {
  const cache: ResultCache = new Map();
  let pool: TransformPool | undefined; // shared by the programs of a watch session
  return function teleportProgramTransformer(program, host, config, extras) {
    if (host !== undefined && typeof host.getSourceFile !== 'function') {
      // called by ts-patch as a source transformer: (program, config, extras)
      return misconfigured(host as unknown as TeleportPluginConfig, config as unknown);
    }
    config ??= {};
    const invalid = invalidOptions(config);
    // started now, so that loading the core in the workers overlaps tsc's type check
    // (not when nothing is emitted: the emit hook would never hand them a file)
    const emits = !program.getCompilerOptions().noEmit && !program.getCompilerOptions().emitDeclarationOnly;
    if (workers && !pool && emits && invalid.length === 0) {
      const count = config.workers ?? (countFiles(core, program, SMALL_PROGRAM) < SMALL_PROGRAM ? 0 : defaultWorkerCount());
      if (count > 0) pool = new TransformPool(count, workers.entry, workers.core, workers.stallMs, workers.takeBack);
    }
    return instrumentEmit(core, cache, config.workers === 0 ? undefined : pool, program, host, config, extras.ts, invalid);
  };
}

/**
 * What is wrong with the plugin entry's options, one message each (reported as errors of the first emit: tsc prints
 * them and fails, as for the core's own errors): each option Teleport reads must have its documented type.
 */
function invalidOptions(config: TeleportPluginConfig): string[] {
  const problems: string[] = [];
  const check = (name: keyof TeleportPluginConfig, ok: (v: unknown) => boolean, expected: string) => {
    const v: unknown = config[name];
    if (v !== undefined && !ok(v)) problems.push(`teleport: the plugin option "${name}" must be ${expected}, got ${shown(v)}`);
  };
  check('workers', (w) => typeof w === 'number' && Number.isInteger(w) && w >= 0, "a whole number >= 0 (the worker threads that run the transform; 0: none, it runs in tsc's thread)");
  check('root', (r) => typeof r === 'string', 'a path (a string, relative to the tsconfig)');
  check('hooksModule', (h) => typeof h === 'string' && h !== '', 'a module specifier (a non-empty string)');
  check('warnings', (w) => w === 'print' || w === 'diagnostics' || w === 'ignore', '"print", "diagnostics" or "ignore"');
  check('entries', (e) => Array.isArray(e) && e.every((f) => typeof f === 'string'), 'an array of paths (strings, relative to the tsconfig)');
  return problems;
}

function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${JSON.stringify(v) ?? String(v)} (a${Array.isArray(v) ? 'n array' : ` ${typeof v}`})`;
}

/** How many of the program's files the core would transform, counting up to `limit`. */
function countFiles(core: TeleportCore, program: TS.Program, limit: number): number {
  let n = 0;
  for (const sf of program.getSourceFiles()) {
    if (!transformable(core, program, sf)) continue;
    if (++n >= limit) break;
  }
  return n;
}

/** A file of the project (not a declaration file, not from a library) that the core instruments. */
function transformable(core: TeleportCore, program: TS.Program, sf: TS.SourceFile): boolean {
  return !sf.isDeclarationFile && !program.isSourceFileFromExternalLibrary(sf) && core.shouldTransform(sf.fileName);
}

/** The ts-patch entry point. */
const teleportTransformer: ProgramTransformer = createProgramTransformer(
  { transformModule, shouldTransform, buildManifest },
  { entry: new URL('./tspatch-worker.js', import.meta.url), core: new URL('./core/index.js', import.meta.url).href },
);
export default teleportTransformer;

/**
 * Hooks `program.emit` (and `emitBuildInfo`, which builder programs call after emitting file by file) and hands the
 * same program back: its diagnostics, type check and declarations are tsc's own, untouched.
 */
function instrumentEmit(core: TeleportCore, cache: ResultCache, pool: TransformPool | undefined, program: TS.Program, host: TS.CompilerHost | undefined, config: TeleportPluginConfig, ts: typeof TS, invalid: string[]): TS.Program {
  const options = program.getCompilerOptions();
  const currentDir = program.getCurrentDirectory();
  const configDir = typeof options.configFilePath === 'string' ? path.dirname(options.configFilePath) : currentDir;
  const root = typeof config.root === 'string' ? path.resolve(configDir, config.root) : currentDir;
  // the core reads tsc's JavaScript (the TS source itself for top-level `using` modules: see moduleJob)
  const transformOptions: TransformOptions = { root, language: 'js' };
  if (typeof config.hooksModule === 'string') transformOptions.hooksModule = config.hooksModule;
  // (a build without maps: the core's output map would be dropped; tsc's own map is still made, for positions)
  if (!options.sourceMap && !options.inlineSourceMap) transformOptions.sourceMap = false;
  const optionsKey = JSON.stringify(transformOptions);
  const key = (fileName: string) => path.resolve(currentDir, fileName);
  const entryFiles = Array.isArray(config.entries) ? new Set(config.entries.map((e) => key(path.resolve(configDir, String(e))))) : undefined;
  const warningMode = config.warnings === 'diagnostics' || config.warnings === 'ignore' ? config.warnings : 'print';
  let defaultHost: TS.CompilerHost | undefined;
  const defaultWrite: TS.WriteFileCallback = (...args) => (host ?? (defaultHost ??= ts.createCompilerHost(options))).writeFile(...args);

  /** The core's input and options for one module (see instrument). */
  function moduleJob(sf: TS.SourceFile, js: string | undefined, tscMap: RawMap | undefined): ModuleJob {
    const k = key(sf.fileName);
    const isEntry = entryFiles ? entryFiles.has(k) : undefined;
    const { language: _, ...sourceOptions } = transformOptions;
    const base = js === undefined ? sourceOptions : transformOptions;
    // (the core reads positions, `@teleport` tags and CommonJS syntax in the TS text: tsc's map carries it only with inlineSources)
    const inputMap = js !== undefined && tscMap ? { ...tscMap, sourcesContent: [sf.text] } : undefined;
    const fileOptions: TransformOptions = { ...base, ...(isEntry === undefined ? {} : { entry: isEntry, ownFile: true }), ...(inputMap ? { inputMap } : {}) };
    const input = js ?? sf.text;
    return {
      job: { fileName: k, input, options: fileOptions },
      stamp: { input, source: sf.text, mappings: inputMap?.mappings, options: `${js === undefined ? 'ts' : 'js'}:${optionsKey}:${isEntry}` },
    };
  }
  const cached = ({ job, stamp }: ModuleJob): JobResult | undefined => {
    const hit = cache.get(job.fileName);
    return hit && hit.input === stamp.input && hit.source === stamp.source && hit.mappings === stamp.mappings && hit.options === stamp.options ? hit.result : undefined;
  };
  const runHere = (job: PoolJob): JobResult => attempt(() => core.transformModule(job.input, job.fileName, job.options));

  /**
   * The core on one module: on tsc's JS, with tsc's map back to the TS source as `inputMap`, or on the TS source
   * itself (`js` undefined). Instrumented code, its map and the manifest; diagnostics go to `report`. All positions
   * are the TS source's. (Results come from the cache, which the pool's results were put in, or are made here.)
   */
  function instrument(sf: TS.SourceFile, js: string | undefined, tscMap: RawMap | undefined, report: (d: TS.Diagnostic) => void) {
    const mj = moduleJob(sf, js, tscMap);
    let result = cached(mj);
    if (!result) cache.set(mj.job.fileName, { ...mj.stamp, result: (result = runHere(mj.job)) });
    if (!result.ok) {
      // (a worker that failed is this emit's error only: in watch mode the next program tries the file again)
      if (result.transient) cache.delete(mj.job.fileName);
      report(makeDiagnostic(ts, sf, 1, 1, `teleport: internal error: transforming this file failed: ${result.message}`, INTERNAL_ERROR_CODE));
      return undefined;
    }
    for (const d of result.diagnostics ?? []) {
      // an ES module in the source that the core finds to be CommonJS: tsc compiled it so (`module`, package.json "type")
      if (result.untouched && ts.isExternalModule(sf)) {
        report(fromCore(ts, { ...d, line: 1, column: 1, message: 'CommonJS module: tsc emits this ES module as CommonJS, which Teleport leaves as written: functions defined here cannot be sent to a worker', hint: 'emit ES modules: `module` NodeNext with "type": "module" in package.json, or ESNext' }, sf));
        continue;
      }
      report(fromCore(ts, d, sf));
    }
    return result;
  }

  // ---- the manifest: every module of the program, written next to the JS ----
  const modules = new Map<string, ModuleManifest>(); // by file (project-relative), from this program's emits
  let manifestDir = options.outDir ?? (options.outFile ? path.dirname(options.outFile) : undefined);
  let manifestPending = false;
  let lastManifest: { file: string; text: string } | undefined;
  let onDisk: ModuleManifest[] | undefined;

  /** Writes the manifest if it changed; diagnostics (duplicate IDs, I/O) go to `report`. */
  function writeManifest(write: TS.WriteFileCallback, report: (d: TS.Diagnostic) => void): string | undefined {
    manifestPending = false;
    if (manifestDir === undefined) return undefined;
    const file = path.resolve(currentDir, manifestDir, MANIFEST_FILE_NAME);
    const list = [...modules.values()];
    // builders (--incremental, --watch) emit only the files that changed: the others' entries come from the last manifest
    const missing = new Set(program.getSourceFiles()
      .filter((sf) => transformable(core, program, sf))
      .map((sf) => relativePath(key(sf.fileName), root))
      .filter((f) => !modules.has(f)));
    if (missing.size > 0) {
      onDisk ??= readManifest(file, host ?? ts.sys);
      for (const m of onDisk) if (missing.has(m.file)) list.push(m);
    }
    // (in file order whatever core is plugged in: the real one sorts again, a test's may not)
    list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const built = core.buildManifest(list);
    for (const d of built.diagnostics) report(fromCore(ts, d, program.getSourceFile(path.resolve(root, d.file))));
    const text = JSON.stringify(built.manifest, null, 2) + '\n';
    if (lastManifest?.file === file && lastManifest.text === text) return undefined;
    let failed: string | undefined;
    try {
      write(file, text, false, (message) => { failed = message; });
    } catch (err) {
      failed = err instanceof Error ? err.message : String(err);
    }
    if (failed !== undefined) {
      report(makeDiagnostic(ts, undefined, 0, 0, `teleport: could not write ${file}: ${failed}`, WRITE_ERROR_CODE));
      return undefined;
    }
    lastManifest = { file, text };
    return file;
  }

  const rawEmit: AnyFn = program.emit;
  const rawEmitBuildInfo: AnyFn | undefined = (program as Loose).emitBuildInfo;

  (program as Loose).emit = function emit(targetSourceFile: TS.SourceFile | undefined, writeFile: TS.WriteFileCallback | undefined, cancellationToken: TS.CancellationToken | undefined, emitOnly: unknown, customTransformers: TS.CustomTransformers | undefined, ...rest: unknown[]): TS.EmitResult {
    // emitOnly: a boolean (public API) or TS's internal EmitOnly (0 JS, 1 declarations, 2 builder signature)
    const js = !options.noEmit && !options.emitDeclarationOnly && (emitOnly === undefined || emitOnly === false || emitOnly === 0);
    if (!js) return rawEmit.call(program, targetSourceFile, writeFile, cancellationToken, emitOnly, customTransformers, ...rest);

    // positions need tsc's map: when the user asked for none, tsc makes one for us, which is dropped
    const internalMaps = !options.sourceMap && !options.inlineSourceMap;
    const outputs: Output[] = [];
    const maps = new Map<string, Output>();
    const submitted: { id: number; mj: ModuleJob }[] = [];
    let result: TS.EmitResult;
    const hadSourceMap = Object.hasOwn(options, 'sourceMap');
    const userSourceMap = options.sourceMap;
    if (internalMaps) options.sourceMap = true;
    try {
      result = rawEmit.call(program, targetSourceFile, ((fileName, text, bom, onError, sourceFiles, data) => {
        const o: Output = { fileName, text, bom, onError, sourceFiles, data };
        outputs.push(o);
        if (/\.map$/i.test(fileName) && !DECLARATION_OUTPUT.test(fileName)) maps.set(fileName, o);
        // tsc writes a file's map before its JS: the JS goes to a worker now, while tsc emits the next files
        else if (pool && JS_OUTPUT.test(fileName) && maps.has(fileName + '.map') === !options.inlineSourceMap) {
          const plan = planOf(o, maps);
          const mj = plan && moduleJob(plan.sf, plan.fromSource ? undefined : plan.code, plan.tscMap);
          if (mj && !cached(mj)) {
            submitted.push({ id: pool.submit(mj.job), mj });
          }
        }
      }) satisfies TS.WriteFileCallback, cancellationToken, emitOnly, customTransformers, ...rest) as TS.EmitResult;
    } finally {
      if (internalMaps && hadSourceMap) options.sourceMap = userSourceMap;
      else if (internalMaps) delete options.sourceMap;
      // (also when tsc's emit threw: no result may be left in the pool for the next emit)
      if (submitted.length > 0) {
        const results = pool!.collect(runHere);
        for (const { id, mj } of submitted) cache.set(mj.job.fileName, { ...mj.stamp, result: results.get(id)! });
      }
    }

    const ours: TS.Diagnostic[] = [];
    const warnings: TS.Diagnostic[] = [];
    const report = (d: TS.Diagnostic) => {
      if (d.category !== ts.DiagnosticCategory.Warning || warningMode === 'diagnostics') ours.push(d);
      else if (warningMode === 'print') warnings.push(d);
    };
    // (once per program: a builder emits file by file)
    for (const message of invalid.splice(0)) ours.push(makeDiagnostic(ts, undefined, 0, 0, message, INTERNAL_ERROR_CODE));
    let jsEmitted = false;
    for (const o of outputs) {
      if (!JS_OUTPUT.test(o.fileName)) continue;
      jsEmitted = true;
      manifestDir ??= path.dirname(o.fileName);
      const plan = planOf(o, maps);
      if (internalMaps) setText(o, splitUrlComment(o.text, o.data?.sourceMapUrlPos).code, '');
      if (!plan) continue;
      const { sf, code, comment, mapOutput, tscMap, fromSource } = plan;
      const done = instrument(sf, fromSource ? undefined : code, tscMap, report);
      if (!done) continue;
      modules.set(done.manifest.file, done.manifest);
      let out = done.code;
      let map: string | undefined;
      if (fromSource) {
        const compiled = transpileInstrumented(ts, done.code, sf, options);
        out = compiled.js;
        if (!internalMaps && tscMap && compiled.map) map = composeMaps(JSON.parse(compiled.map) as RawMap, done.map, tscMap);
      } else if (!internalMaps && tscMap) {
        map = asTscMap(done.map, tscMap);
      }
      if (map === undefined) {
        setText(o, out, internalMaps ? '' : comment);
        continue;
      }
      if (mapOutput) mapOutput.text = map;
      setText(o, out, options.inlineSourceMap ? inlineComment(map) : comment);
    }

    // noEmitOnError covers the transform's own errors: nothing is written
    if (options.noEmitOnError && ours.some(isError)) {
      printWarnings(warnings);
      return { emitSkipped: true, diagnostics: [...result.diagnostics, ...ours] };
    }
    const write = writeFile ?? defaultWrite;
    const written = internalMaps ? outputs.filter((o) => !maps.has(o.fileName)) : outputs;
    for (const o of written) {
      write(o.fileName, o.text, o.bom, (message) => {
        o.onError?.(message);
        ours.push(makeDiagnostic(ts, undefined, 0, 0, `Could not write file '${o.fileName}': ${message}.`, 5033));
      }, o.sourceFiles, o.data);
    }
    const emittedFiles = result.emittedFiles && (internalMaps ? result.emittedFiles.filter((f) => !maps.has(f) && !maps.has(key(f))) : [...result.emittedFiles]);
    if (jsEmitted) {
      // a whole-program emit writes the manifest now; a builder's file-by-file emits, in emitBuildInfo
      if (targetSourceFile) manifestPending = true;
      else {
        const file = writeManifest(write, report);
        if (file) emittedFiles?.push(file);
      }
    }
    printWarnings(warnings);
    const merged: TS.EmitResult & Loose = { ...result, diagnostics: ours.length ? [...result.diagnostics, ...ours] : result.diagnostics };
    if (emittedFiles) merged.emittedFiles = emittedFiles;
    if (internalMaps) delete merged.sourceMaps;
    return merged;
  };

  /** A JS output's parts for the core (read once: in the write hook, or after the emit), or null. */
  function planOf(o: Output, maps: Map<string, Output>): Plan | null {
    if (o.plan !== undefined) return o.plan;
    const { code, comment } = splitUrlComment(o.text, o.data?.sourceMapUrlPos);
    // (the emitter passes the SourceFile it printed, already transformed to JS: the program's is the source's)
    const emitted = o.sourceFiles?.length === 1 ? o.sourceFiles[0]! : undefined;
    const sf = emitted && (program.getSourceFile(emitted.fileName) ?? emitted);
    if (!sf || !core.shouldTransform(key(sf.fileName))) return (o.plan = null);
    const mapOutput = maps.get(o.fileName + '.map');
    const tscMap = mapOutput ? (JSON.parse(mapOutput.text) as RawMap) : readInlineMap(comment);
    const fromSource = lowersTopLevelUsing(ts, sf, options) && emitsEsm(ts, sf, options);
    return (o.plan = { code, comment, sf, mapOutput, tscMap, fromSource });
  }

  if (typeof rawEmitBuildInfo === 'function') {
    (program as Loose).emitBuildInfo = function emitBuildInfo(writeFile: TS.WriteFileCallback | undefined, ...rest: unknown[]): TS.EmitResult {
      const result = rawEmitBuildInfo.call(program, writeFile, ...rest) as TS.EmitResult;
      if (!manifestPending) return result;
      const ours: TS.Diagnostic[] = [];
      const warnings: TS.Diagnostic[] = [];
      writeManifest(writeFile ?? defaultWrite, (d) => (d.category === ts.DiagnosticCategory.Warning && warningMode !== 'diagnostics' ? warningMode === 'print' && warnings.push(d) : ours.push(d)));
      printWarnings(warnings);
      return ours.length ? { ...result, diagnostics: [...result.diagnostics, ...ours] } : result;
    };
  }

  /** Warnings go to stderr in tsc's format, after each emit. */
  function printWarnings(warnings: TS.Diagnostic[]): void {
    if (warnings.length === 0) return;
    const formatHost: TS.FormatDiagnosticsHost = {
      getCurrentDirectory: () => currentDir,
      getCanonicalFileName: (f) => (ts.sys?.useCaseSensitiveFileNames === false ? f.toLowerCase() : f),
      getNewLine: () => ts.sys?.newLine ?? '\n',
    };
    const pretty = options.pretty ?? !!process.stderr.isTTY;
    const sorted = [...warnings].sort((a, b) => (a.file?.fileName ?? '').localeCompare(b.file?.fileName ?? '') || (a.start ?? 0) - (b.start ?? 0));
    process.stderr.write(pretty ? ts.formatDiagnosticsWithColorAndContext(sorted, formatHost) + formatHost.getNewLine() : ts.formatDiagnostics(sorted, formatHost));
  }

  return program;
}

/** Sets an output's JS text, with tsc's sourceMappingURL comment (or none) at its end. */
function setText(o: Output, code: string, comment: string): void {
  const { text, urlPos } = joinUrlComment(code, comment);
  o.text = text;
  if (o.data) o.data = { ...o.data, sourceMapUrlPos: urlPos };
}

/** The modules of the manifest written by a previous build, or none. */
function readManifest(file: string, fs: { readFile(path: string): string | undefined }): ModuleManifest[] {
  try {
    const text = fs.readFile(file);
    const parsed = text ? (JSON.parse(text) as BuildManifest) : undefined;
    return Array.isArray(parsed?.modules) ? parsed.modules : [];
  } catch {
    return [];
  }
}

/** Used as a source transformer (no `"transformProgram": true`): say so instead of silently doing nothing. */
function misconfigured(config: TeleportPluginConfig, extras: unknown): TS.Program {
  const message = `teleport: the plugin entry { "transform": "${String(config?.transform ?? 'teleport/transformer')}" } ` +
    `needs "transformProgram": true (it replaces the Program; it is not a source transformer)`;
  const { ts, addDiagnostic } = (extras ?? {}) as { ts?: typeof TS; addDiagnostic?: (d: TS.Diagnostic) => void };
  if (!ts || typeof addDiagnostic !== 'function') throw new Error(message);
  addDiagnostic(makeDiagnostic(ts, undefined, 0, 0, message, INTERNAL_ERROR_CODE));
  return { before: [] } as unknown as TS.Program; // an empty source-transformer result, which ts-patch accepts
}

function isError(d: TS.Diagnostic): boolean {
  return d.category === 1 /* ts.DiagnosticCategory.Error */;
}

function fromCore(ts: typeof TS, d: CoreDiagnostic, file: TS.SourceFile | undefined): TS.Diagnostic {
  const category = d.severity === 'warning' ? ts.DiagnosticCategory.Warning : ts.DiagnosticCategory.Error;
  const where = file ? '' : ` (${d.file}:${d.line}:${d.column})`;
  const text = `teleport: ${d.message}${where}`;
  const messageText: string | TS.DiagnosticMessageChain = d.hint
    ? { messageText: text, category, code: DIAGNOSTIC_CODE, next: [{ messageText: `hint: ${d.hint}`, category: ts.DiagnosticCategory.Message, code: DIAGNOSTIC_CODE }] }
    : text;
  return makeDiagnostic(ts, file, d.line, d.column, messageText, DIAGNOSTIC_CODE, category);
}

/** `line` and `column` are 1-based (as the core reports them); both are clamped into the file. */
function makeDiagnostic(
  ts: typeof TS,
  file: TS.SourceFile | undefined,
  line: number,
  column: number,
  messageText: string | TS.DiagnosticMessageChain,
  code: number,
  category: TS.DiagnosticCategory = ts.DiagnosticCategory.Error,
): TS.Diagnostic {
  if (!file) return { file: undefined, start: undefined, length: undefined, category, code, messageText, source: 'teleport' };
  const starts = file.getLineStarts();
  const li = Math.min(Math.max(Math.trunc(line) - 1, 0), starts.length - 1);
  const lineStart = starts[li]!;
  const lineText = file.text.slice(lineStart, li + 1 < starts.length ? starts[li + 1] : file.text.length).replace(/\r?\n$/, '');
  const col = Math.min(Math.max((Math.trunc(column) || 1) - 1, 0), lineText.length);
  const token = /^[\p{ID_Continue}$]+|^\S/u.exec(lineText.slice(col));
  return { file, start: lineStart + col, length: token ? token[0].length : 0, category, code, messageText, source: 'teleport' };
}
