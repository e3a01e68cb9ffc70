// TypeScript → JavaScript with esbuild itself, before the transform core runs: the core then
// parses JavaScript (fast, and without loading the `typescript` package). Each file is compiled
// by esbuild's build API on its own (no bundling, target esnext, imports and exports kept), with
// the tsconfig options of the user's build, so esbuild reads the file's tsconfig.json exactly as
// the user's build would (useDefineForClassFields, experimentalDecorators, verbatimModuleSyntax,
// jsx…); everything else (the target, define, minification) is left to the user's build, which
// gets JavaScript.
import path from 'node:path';
import type { BuildOptions, Message, PluginBuild } from 'esbuild';

export interface Stripped {
  code: string;
  /**
   * esbuild's map from `code` back to the TypeScript file, as JSON text (its source is the path
   * relative to the file's directory: the transform parses it, off the main thread when it can)
   */
  map: string;
}

/** The options of the user's build that decide how esbuild reads TypeScript and JSX. */
const FORWARDED = ['tsconfig', 'tsconfigRaw', 'absWorkingDir', 'loader', 'jsx', 'jsxFactory', 'jsxFragment', 'jsxImportSource', 'jsxDev', 'jsxSideEffects'] as const;

export function typeStripper(build: PluginBuild): (file: string) => Promise<Stripped | { errors: Message[] }> {
  const base: BuildOptions = {};
  for (const key of FORWARDED) if (build.initialOptions[key] !== undefined) (base as Record<string, unknown>)[key] = build.initialOptions[key];
  return async (file) => {
    let result;
    try {
      result = await build.esbuild.build({
        ...base, entryPoints: [file], outdir: path.dirname(file), bundle: false, write: false, target: 'esnext',
        sourcemap: 'external', logLevel: 'silent', plugins: [],
      });
    } catch (err) {
      const errors = (err as { errors?: Message[] }).errors;
      if (errors?.length) return { errors };
      throw err;
    }
    let code = '';
    let map: string | undefined;
    for (const out of result.outputFiles!) {
      if (out.path.endsWith('.map')) map = out.text;
      else code = out.text;
    }
    if (map === undefined) throw new Error(`esbuild gave no source map for ${file}`);
    return { code, map };
  };
}
