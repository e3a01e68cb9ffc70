// One module through the transform core, as the esbuild plugin needs it: the core's result plus
// the text esbuild loads (code with its inline source map), or a failure described as data. The
// plugin calls it in its own thread (`workers: 0`) and, as this file's default export, piscina
// runs it in the worker threads of transform-pool.ts: both paths give the same bytes.
import { transformModule, type Diagnostic, type ModuleManifest, type TransformOptions } from '../../transformer/core/index.js';
import type { InputMap } from '../../transformer/core/origin.js';

export interface TransformTask {
  code: string;
  /** absolute path of the module */
  file: string;
  /** (the input map is `inputMap`, as text) */
  options: Omit<TransformOptions, 'inputMap'>;
  /** esbuild's source map from `code` back to `file` (JSON text; its sources are replaced by `file`) */
  inputMap?: string;
}

export type TransformOutcome =
  | {
    ok: true;
    /** what esbuild loads: the code with its map inline ('' for TypeScript left `untouched`) */
    contents: string;
    untouched: boolean;
    manifest: ModuleManifest;
    diagnostics: Diagnostic[];
  }
  /** the core threw (e.g. text it cannot parse); line (1-based) and column (0-based) in `file` when known */
  | { ok: false; message: string; line?: number; column?: number };

export function transformTask({ code, file, options, inputMap }: TransformTask): TransformOutcome {
  try {
    const map = inputMap === undefined ? undefined : { ...JSON.parse(inputMap) as InputMap, sources: [file] };
    const result = transformModule(code, file, map ? { ...options, inputMap: map } : options);
    // (a CommonJS TypeScript module left as written: the plugin hands esbuild the TypeScript itself)
    const contents = result.untouched && inputMap !== undefined ? '' : withInlineMap(result.code, { ...result.map, sources: [file] });
    return { ok: true, contents, untouched: !!result.untouched, manifest: result.manifest, diagnostics: result.diagnostics };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err), ...(inputMap === undefined ? parsePosition(err) : {}) };
  }
}

export default transformTask;

function withInlineMap(code: string, map: object): string {
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** Where a parser error points in the text the core was given (typescript-estree's TSError, acorn's SyntaxError). */
function parsePosition(err: unknown): { line?: number; column?: number } {
  const e = err as { location?: { start?: { line?: unknown; column?: unknown } }; loc?: { line?: unknown; column?: unknown } };
  const p = e?.location?.start ?? e?.loc;
  return typeof p?.line === 'number' && typeof p.column === 'number' ? { line: p.line, column: p.column } : {};
}
