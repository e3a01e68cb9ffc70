// The one case where the ts-patch front end instruments the TS source instead of tsc's JS: a module
// with a top-level `using` / `await using`, which tsc lowers (every target before ESNext) by moving
// the whole module body into a try/finally, so that module-level classes and functions become
// assignments inside it and no longer are the module's own bindings (a class would be rebuilt in
// a worker on every task). The core reads the TS text, as the esbuild plugin does, and the
// instrumented TS of that module alone is compiled with ts.transpileModule.
import type * as TS from 'typescript';

/** A top-level `using` that tsc lowers. */
export function lowersTopLevelUsing(ts: typeof TS, sf: TS.SourceFile, options: TS.CompilerOptions): boolean {
  if ((options.target ?? ts.ScriptTarget.ES5) >= ts.ScriptTarget.ESNext) return false;
  return sf.statements.some((s) => ts.isVariableStatement(s) && (s.declarationList.flags & ts.NodeFlags.Using) !== 0);
}

/** Whether tsc emits the file as an ES module (the only output the front end instruments). */
export function emitsEsm(ts: typeof TS, sf: TS.SourceFile, options: TS.CompilerOptions): boolean {
  if (sf.impliedNodeFormat !== undefined && options.module !== undefined && options.module >= ts.ModuleKind.Node16 && options.module <= ts.ModuleKind.NodeNext) {
    return sf.impliedNodeFormat === ts.ModuleKind.ESNext;
  }
  const m = options.module;
  return m !== undefined && ((m >= ts.ModuleKind.ES2015 && m <= ts.ModuleKind.ESNext) || m === ts.ModuleKind.Preserve);
}

/** Compiles one module's instrumented TS to JS with the program's options: JS and its map (JS → instrumented TS). */
export function transpileInstrumented(ts: typeof TS, code: string, sf: TS.SourceFile, options: TS.CompilerOptions): { js: string; map: string | undefined } {
  const compilerOptions: TS.CompilerOptions = {
    ...options,
    // no plugins: ts-patch would run this transformer again on the transpiling program
    plugins: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: undefined,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: false,
    declaration: false,
    declarationMap: false,
    emitDeclarationOnly: false,
    composite: false,
    incremental: false,
    tsBuildInfoFile: undefined,
    noEmit: false,
    outFile: undefined,
  };
  const out = ts.transpileModule(code, { compilerOptions, fileName: sf.fileName, reportDiagnostics: false });
  // transpileModule ends the JS with its own `//# sourceMappingURL=`: the caller puts tsc's back
  const js = out.outputText.replace(/\n?\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
  return { js, map: out.sourceMapText };
}
