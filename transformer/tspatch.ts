// ts-patch Program transformer (`{ "transform": "teleport/transformer", "transformProgram": true }`): compiles the
// Teleport-instrumented text of each module to JS, while diagnostics and .d.ts files come from the user's original,
// untouched program; writes teleport-manifest.json next to the emitted JS.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type * as TS from 'typescript';
import remapping from '@jridgewell/remapping';
import { buildManifest, shouldTransform, transformModule } from './core/index.js';
import type { BuildManifest, Diagnostic as CoreDiagnostic, ModuleManifest, TransformOptions, TransformResult } from './core/types.js';

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
   * printed to stderr (tsc's format) and the build still succeeds; 'diagnostics' reports them as Warning-category
   * diagnostics of the program (tspc then exits 2), 'ignore' drops them.
   */
  warnings?: 'print' | 'diagnostics' | 'ignore';
  /**
   * The program's entry scripts (the files node is started with), relative to the tsconfig's
   * directory. Without it any module may be the entry, so each carries both factory trees (the one
   * a worker uses to load the entry dry, and the one bound to a module's live scope). With it,
   * every other module carries only the live tree (smaller output, which tsc compiles faster) and
   * fails at once, with an error that says so, if node is started with it anyway.
   */
  entries?: string[];
}

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

interface FileEntry {
  /** text the new program compiles */
  code: string;
  manifest?: ModuleManifest;
  diagnostics: CoreDiagnostic[];
  /** source map from `code` back to the original text */
  map?: TransformResult['map'];
  /** the core threw: `code` is the input */
  failure?: string;
  /** SourceFiles made from `code`, per implied node format */
  sourceFiles: Map<TS.ResolutionMode | 'none', TS.SourceFile>;
}

type AnyFn = (...args: any[]) => any;
type Loose = Record<string, any>;

/** Transform results by file name, kept across programs (watch mode rebuilds only re-transform changed files). */
type ResultCache = Map<string, { input: string; options: string; result: TransformResult | { failure: string } }>;

export function createProgramTransformer(core: TeleportCore): ProgramTransformer {
  const cache: ResultCache = new Map();
  return function teleportProgramTransformer(program, host, config, extras) {
    if (host !== undefined && typeof host.getSourceFile !== 'function') {
      // called by ts-patch as a source transformer: (program, config, extras)
      return misconfigured(host as unknown as TeleportPluginConfig, config as unknown);
    }
    return transformProgram(core, cache, program, host, config ?? {}, extras.ts);
  };
}

/** The ts-patch entry point. */
const teleportTransformer: ProgramTransformer = createProgramTransformer({ transformModule, shouldTransform, buildManifest });
export default teleportTransformer;

function transformProgram(core: TeleportCore, cache: ResultCache, program: TS.Program, host: TS.CompilerHost | undefined, config: TeleportPluginConfig, ts: typeof TS): TS.Program {
  const options = program.getCompilerOptions();
  const currentDir = program.getCurrentDirectory();
  const configDir = typeof options.configFilePath === 'string' ? path.dirname(options.configFilePath) : currentDir;
  const root = typeof config.root === 'string' ? path.resolve(configDir, config.root) : currentDir;
  const transformOptions: TransformOptions = { root };
  if (typeof config.hooksModule === 'string') transformOptions.hooksModule = config.hooksModule;
  const optionsKey = JSON.stringify(transformOptions);

  const baseHost = host ?? ts.createCompilerHost(options);
  const entries = new Map<string, FileEntry | null>(); // null: not transformed
  const key = (fileName: string) => path.resolve(currentDir, fileName);
  const entryFiles = Array.isArray(config.entries) ? new Set(config.entries.map((e) => key(path.resolve(configDir, String(e))))) : undefined;

  function entryFor(fileName: string): FileEntry | null {
    const k = key(fileName);
    const cached = entries.get(k);
    if (cached !== undefined) return cached;
    let entry: FileEntry | null = null;
    if (core.shouldTransform(k)) {
      const input = program.getSourceFile(fileName)?.text ?? baseHost.readFile(fileName);
      if (input !== undefined) {
        let hit = cache.get(k);
        const isEntry = entryFiles ? entryFiles.has(k) : undefined;
        const fileOptions: TransformOptions = isEntry === undefined ? transformOptions : { ...transformOptions, entry: isEntry, ownFile: true };
        const fileKey = isEntry === undefined ? optionsKey : `${optionsKey}:${isEntry}`;
        if (!hit || hit.input !== input || hit.options !== fileKey) {
          let result: TransformResult | { failure: string };
          try {
            result = core.transformModule(input, k, fileOptions);
          } catch (err) {
            result = { failure: err instanceof Error ? err.message : String(err) };
          }
          cache.set(k, (hit = { input, options: fileKey, result }));
        }
        const result = hit.result;
        entry = 'failure' in result
          ? { code: input, diagnostics: [], failure: result.failure, sourceFiles: new Map() }
          : { code: result.code, map: result.map, manifest: result.manifest, diagnostics: result.diagnostics ?? [], sourceFiles: new Map() };
      }
    }
    entries.set(k, entry);
    return entry;
  }

  function sourceFileFor(fileName: string, languageVersionOrOptions: TS.ScriptTarget | TS.CreateSourceFileOptions): TS.SourceFile | undefined {
    const entry = entryFor(fileName);
    if (!entry) return undefined;
    const format = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions.impliedNodeFormat ?? 'none' : 'none';
    let sf = entry.sourceFiles.get(format);
    if (!sf) {
      sf = ts.createSourceFile(fileName, entry.code, languageVersionOrOptions, /*setParentNodes*/ false);
      // builder programs (incremental, watch) need a version on every file
      const original = program.getSourceFile(fileName) as (TS.SourceFile & { version?: string }) | undefined;
      if (original?.version !== undefined) (sf as Loose).version = createHash('sha256').update(entry.code).digest('hex');
      entry.sourceFiles.set(format, sf);
    }
    return sf;
  }

  /** Untransformed files: hand the new program the original program's SourceFile (no re-parse of lib files). */
  function reuseOriginal(fileName: string, languageVersionOrOptions: TS.ScriptTarget | TS.CreateSourceFileOptions): TS.SourceFile | undefined {
    const sf = program.getSourceFile(fileName) as (TS.SourceFile & Loose) | undefined;
    if (!sf || sf.redirectInfo) return undefined;
    const format = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions.impliedNodeFormat : undefined;
    return sf.impliedNodeFormat === format ? sf : undefined;
  }

  const newHost: TS.CompilerHost = Object.create(baseHost);
  newHost.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
    sourceFileFor(fileName, languageVersionOrOptions) ??
    reuseOriginal(fileName, languageVersionOrOptions) ??
    baseHost.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  if (typeof baseHost.getSourceFileByPath === 'function') {
    newHost.getSourceFileByPath = (fileName, filePath, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
      sourceFileFor(fileName, languageVersionOrOptions) ??
      reuseOriginal(fileName, languageVersionOrOptions) ??
      baseHost.getSourceFileByPath!(fileName, filePath, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  }

  // The new program only produces JS. noCheck: emit without type-checking the generated code (TS >= 5.5; without it
  // the emit resolver type-checks every file a second time; the JS is the same). No declarations of the generated
  // code (composite still forces them: they are dropped at write time); noEmitOnError is decided on the original.
  const newOptions: TS.CompilerOptions = { ...options, noCheck: true, noEmitOnError: false, declaration: false, declarationMap: false, emitDeclarationOnly: false };
  // ts-patch's own createProgram would re-read the tsconfig, reload plugins and wrap emit a second time
  const createProgram: typeof TS.createProgram = (ts as Loose).originalCreateProgram ?? ts.createProgram;
  const newProgram = createProgram({
    rootNames: program.getRootFileNames(),
    options: newOptions,
    host: newHost,
    oldProgram: program,
    projectReferences: program.getProjectReferences(),
    configFileParsingDiagnostics: program.getConfigFileParsingDiagnostics(),
  });
  const rawEmit: AnyFn = (newProgram as Loose).originalEmit ?? newProgram.emit;

  // ---- diagnostics of the transform, against the ORIGINAL source text ----
  const originalOf = (sf: TS.SourceFile): TS.SourceFile | undefined => program.getSourceFile(sf.fileName);
  const fileDiagnostics = new Map<string, TS.Diagnostic[]>(); // by key(fileName)
  const globalDiagnostics: TS.Diagnostic[] = [];
  const warningMode = config.warnings === 'diagnostics' || config.warnings === 'ignore' ? config.warnings : 'print';
  const warnings: TS.Diagnostic[] = [];
  const addDiagnostic = (d: TS.Diagnostic) => {
    if (d.category === ts.DiagnosticCategory.Warning && warningMode !== 'diagnostics') {
      if (warningMode === 'print') warnings.push(d);
      return;
    }
    if (!d.file) return void globalDiagnostics.push(d);
    const k = key(d.file.fileName);
    const list = fileDiagnostics.get(k) ?? [];
    list.push(d);
    fileDiagnostics.set(k, list);
  };

  const modules: ModuleManifest[] = [];
  for (const sf of newProgram.getSourceFiles()) {
    const entry = entries.get(key(sf.fileName));
    if (!entry) continue;
    const original = program.getSourceFile(sf.fileName);
    if (entry.failure !== undefined) {
      addDiagnostic(makeDiagnostic(ts, original, 1, 1, `teleport: internal error: transforming this file failed: ${entry.failure}`, INTERNAL_ERROR_CODE));
      continue;
    }
    for (const d of entry.diagnostics) addDiagnostic(fromCore(ts, d, original));
    if (entry.manifest) modules.push(entry.manifest);
    // the core must never produce code that does not parse; if it does, say so rather than emit garbage
    const generated = newProgram.getSyntacticDiagnostics(sf);
    if (generated.length > 0 && (!original || program.getSyntacticDiagnostics(original).length === 0)) {
      const first = generated[0]!;
      const at = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start) : { line: 0, character: 0 };
      const message = ts.flattenDiagnosticMessageText(first.messageText, '\n');
      addDiagnostic(makeDiagnostic(ts, original, at.line + 1, 1,
        `teleport: internal error: the instrumented code of this file does not parse (TS${first.code}: ${message}); please report it`, INTERNAL_ERROR_CODE));
    }
  }
  modules.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const built = core.buildManifest(modules);
  for (const d of built.diagnostics) addDiagnostic(fromCore(ts, d, program.getSourceFile(path.resolve(root, d.file))));
  const manifestText = JSON.stringify(built.manifest, null, 2) + '\n';

  // printed once per program, when it is created (watch mode re-reports them on every rebuild, like its errors)
  if (warnings.length > 0) {
    const formatHost: TS.FormatDiagnosticsHost = {
      getCurrentDirectory: () => currentDir,
      getCanonicalFileName: (f) => (ts.sys?.useCaseSensitiveFileNames === false ? f.toLowerCase() : f),
      getNewLine: () => ts.sys?.newLine ?? '\n',
    };
    const pretty = options.pretty ?? !!process.stderr.isTTY;
    const sorted = [...warnings].sort((a, b) => (a.file?.fileName ?? '').localeCompare(b.file?.fileName ?? '') || (a.start ?? 0) - (b.start ?? 0));
    process.stderr.write(pretty ? ts.formatDiagnosticsWithColorAndContext(sorted, formatHost) + formatHost.getNewLine() : ts.formatDiagnostics(sorted, formatHost));
  }

  const ours = (sf: TS.SourceFile | undefined): readonly TS.Diagnostic[] => {
    if (sf) return fileDiagnostics.get(key(sf.fileName)) ?? [];
    return [...fileDiagnostics.values()].flat();
  };

  // ---- the Program handed back: the new program, with the original's diagnostics and a split emit ----
  const wrapper: TS.Program & Loose = Object.create(newProgram);

  // Every diagnostics getter, public or internal (the builder of --incremental/--watch uses
  // getBindAndCheckDiagnostics and getProgramDiagnostics), answers for the ORIGINAL program.
  const delegate = (name: string, extra?: (sf: TS.SourceFile | undefined) => readonly TS.Diagnostic[]) => {
    const target = (program as Loose)[name];
    if (typeof target !== 'function') return;
    wrapper[name] = (...args: unknown[]) => {
      const first = args[0] as TS.SourceFile | undefined;
      const isFile = !!first && typeof first === 'object' && (first as TS.Node).kind === ts.SyntaxKind.SourceFile;
      let sf: TS.SourceFile | undefined;
      if (isFile) {
        sf = originalOf(first);
        if (!sf) return []; // a file only the generated code pulls in (e.g. teleport/hooks): not the user's
        args[0] = sf;
      }
      const result = target.apply(program, args);
      if (!extra || !Array.isArray(result)) return result;
      const added = extra(isFile ? sf : undefined);
      return added.length ? [...result, ...added] : result;
    };
  };
  for (const name of Object.keys(program)) {
    if (/Diagnostics(Container)?$/.test(name)) delegate(name);
  }
  delegate('getSemanticDiagnostics', ours);
  delegate('getBindAndCheckDiagnostics', ours);
  delegate('getGlobalDiagnostics', () => globalDiagnostics);
  wrapper.getCompilerOptions = () => options;

  // builder programs (incremental/watch) install getBuildInfo on the program they wrap: the new program emits
  Object.defineProperty(wrapper, 'getBuildInfo', {
    configurable: true,
    enumerable: true,
    get: () => (newProgram as Loose).getBuildInfo,
    set: (value) => { (newProgram as Loose).getBuildInfo = value; },
  });

  const preEmitErrors = (target: TS.SourceFile | undefined, token: TS.CancellationToken | undefined): TS.Diagnostic[] => {
    let all: TS.Diagnostic[] = [
      ...wrapper.getOptionsDiagnostics(token),
      ...wrapper.getSyntacticDiagnostics(target, token),
      ...wrapper.getGlobalDiagnostics(token),
      ...wrapper.getSemanticDiagnostics(target, token),
    ];
    if (!all.some(isError) && (options.declaration || options.composite)) all = [...wrapper.getDeclarationDiagnostics(target, token)];
    return all.some(isError) ? all : [];
  };

  let lastManifest: { file: string; text: string } | undefined;

  wrapper.emit = function emit(targetSourceFile, writeFile, cancellationToken, emitOnlyDtsFiles, customTransformers, ...rest: unknown[]) {
    const originalTarget = targetSourceFile && originalOf(targetSourceFile);
    const newTarget = targetSourceFile && newProgram.getSourceFile(targetSourceFile.fileName);
    const originalEmit = (write: TS.WriteFileCallback | undefined, dtsOnly: boolean | undefined) =>
      (program.emit as AnyFn)(originalTarget, write, cancellationToken, dtsOnly, customTransformers, ...rest) as TS.EmitResult;

    if (options.noEmit) return originalEmit(writeFile, emitOnlyDtsFiles);
    if (targetSourceFile && !originalTarget && !newTarget) return { emitSkipped: true, diagnostics: [] };
    if (options.noEmitOnError) {
      const errors = preEmitErrors(originalTarget, cancellationToken);
      if (errors.length > 0) return { emitSkipped: true, diagnostics: errors };
    }

    const write: TS.WriteFileCallback = writeFile ?? ((...args) => baseHost.writeFile(...args));
    const results: TS.EmitResult[] = [];
    let firstJs: string | undefined;
    let jsEmitted = false;

    if (!emitOnlyDtsFiles && !options.emitDeclarationOnly && (!targetSourceFile || newTarget)) {
      const js = rawEmit.call(newProgram, newTarget, ((fileName, text, bom, onError, sourceFiles, data) => {
        if (DECLARATION_OUTPUT.test(fileName)) return;
        if (firstJs === undefined && /\.[cm]?jsx?$/i.test(fileName)) firstJs = fileName;
        if (/\.map$/i.test(fileName) && sourceFiles?.length === 1) text = composeMap(text, entryFor(sourceFiles[0].fileName)?.map);
        write(fileName, text, bom, onError, sourceFiles, data);
      }) satisfies TS.WriteFileCallback, cancellationToken, false, customTransformers, ...rest) as TS.EmitResult;
      // file-bound diagnostics of this emit are about generated text; the user's come from the original below
      results.push({ ...js, diagnostics: js.diagnostics.filter((d) => !d.file), emittedFiles: js.emittedFiles?.filter((f) => !DECLARATION_OUTPUT.test(f)) });
      jsEmitted = !js.emitSkipped;
    }
    if ((options.declaration || options.composite) && (!targetSourceFile || originalTarget)) {
      const dts = originalEmit((fileName, text, bom, onError, sourceFiles, data) => {
        if (DECLARATION_OUTPUT.test(fileName)) write(fileName, text, bom, onError, sourceFiles, data);
      }, true);
      results.push({ ...dts, emittedFiles: dts.emittedFiles?.filter((f) => DECLARATION_OUTPUT.test(f)) });
    }

    const merged: TS.EmitResult = {
      emitSkipped: results.length === 0 || results.some((r) => r.emitSkipped),
      diagnostics: results.flatMap((r) => r.diagnostics),
    };
    if (results.some((r) => r.emittedFiles)) merged.emittedFiles = results.flatMap((r) => r.emittedFiles ?? []);
    // internal field (TS fills it for some API callers)
    if (results.some((r) => (r as Loose).sourceMaps)) (merged as Loose).sourceMaps = results.flatMap((r) => (r as Loose).sourceMaps ?? []);

    if (jsEmitted) {
      const dir = options.outDir ?? (options.outFile ? path.dirname(options.outFile) : firstJs && path.dirname(firstJs));
      if (dir !== undefined) {
        const file = path.resolve(currentDir, dir, MANIFEST_FILE_NAME);
        // builders (--incremental, --watch) emit file by file: write the (whole-program) manifest once
        if (!targetSourceFile || lastManifest?.file !== file || lastManifest.text !== manifestText) {
          let failed: string | undefined;
          try {
            write(file, manifestText, false, (message) => { failed = message; });
          } catch (err) {
            failed = err instanceof Error ? err.message : String(err);
          }
          if (failed !== undefined) {
            (merged.diagnostics as TS.Diagnostic[]).push(makeDiagnostic(ts, undefined, 0, 0, `teleport: could not write ${file}: ${failed}`, WRITE_ERROR_CODE));
          } else {
            lastManifest = { file, text: manifestText };
            merged.emittedFiles?.push(file);
          }
        }
      }
    }
    return merged;
  };

  return wrapper;
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

/**
 * tsc maps the emitted JS to the instrumented text; compose with the transform's own map so that
 * positions (including the function copies appended for workers) point at the original source.
 */
function composeMap(text: string, transformMap: TransformResult['map'] | undefined): string {
  if (!transformMap) return text;
  const tscMap = JSON.parse(text) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string; file?: string };
  if (tscMap.sources.length !== 1) return text;
  const composed = remapping(tscMap as never, (_source, ctx) => (ctx.depth === 1 ? (transformMap as never) : null), { excludeContent: !tscMap.sourcesContent });
  const out = JSON.parse(composed.toString()) as { sources: string[]; sourcesContent?: (string | null)[]; file?: string; sourceRoot?: string };
  // both maps describe the same single file: keep tsc's way of naming it
  out.sources = tscMap.sources;
  if (tscMap.sourceRoot !== undefined) out.sourceRoot = tscMap.sourceRoot;
  if (tscMap.file !== undefined) out.file = tscMap.file;
  if (tscMap.sourcesContent) out.sourcesContent = transformMap.sourcesContent ?? tscMap.sourcesContent;
  return JSON.stringify(out);
}
