// One module through the transform core, as the esbuild plugin needs it: the core's result plus
// the text esbuild loads (code with its inline source map), or a failure described as data. The
// plugin calls it in its own thread (`workers: 0`) and, as this file's default export, piscina
// runs it in the worker threads of transform-pool.ts: both paths give the same bytes.
import { transformModule, type Diagnostic, type ModuleManifest, type TransformOptions } from '../../transformer/core/index.js';
import { attempt, type TransformFailure } from '../../transformer/core/attempt.js';
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
    /** what esbuild loads: the code with its map inline (none with `options.sourceMap: false`; '' for TypeScript left `untouched`) */
    contents: string;
    untouched: boolean;
    manifest: ModuleManifest;
    diagnostics: Diagnostic[];
  }
  /** the core threw (e.g. text it cannot parse); line and column in `file` when known */
  | TransformFailure;

export function transformTask({ code, file, options, inputMap }: TransformTask): TransformOutcome {
  const out = attempt(() => {
    const map = inputMap === undefined ? undefined : { ...JSON.parse(inputMap) as InputMap, sources: [file] };
    const result = transformModule(code, file, map ? { ...options, inputMap: map } : options);
    // (a CommonJS TypeScript module left as written: the plugin hands esbuild the TypeScript itself)
    const contents = result.untouched && inputMap !== undefined ? '' : options.sourceMap === false ? result.code : withInlineMap(result.code, { ...result.map, sources: [file] });
    return { contents, untouched: !!result.untouched, manifest: result.manifest, diagnostics: result.diagnostics };
  });
  // (a parser's position is in `code`: a position in `file` only when `code` was not compiled from it)
  return out.ok || inputMap === undefined ? out : { ok: false, message: out.message };
}

export default transformTask;

function withInlineMap(code: string, map: object): string {
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}
