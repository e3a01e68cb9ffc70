// esbuild front end: runs the transform core on every project source esbuild loads (TypeScript
// first compiled to JavaScript by esbuild, see strip-types.ts), keeps the runtime (`teleport`)
// external so workers share one registry with the bundle, and writes the build manifest next to
// the output.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message, Plugin } from 'esbuild';
import { buildManifest, shouldTransform, transformModule, type Diagnostic, type ModuleManifest, type TransformResult } from '../../transformer/core/index.js';
import { typeStripper } from './strip-types.js';

export interface TeleportPluginOptions {
  /** project root for stable IDs (default: esbuild's absWorkingDir, else process.cwd()) */
  root?: string;
  /** only transform files whose path matches (default: everything outside node_modules) */
  include?: RegExp;
  /**
   * also transform installed packages (files under node_modules), so that their functions can be
   * sent too; default false. Narrow it with `include` (e.g. /node_modules\/marked\//).
   */
  nodeModules?: boolean;
  /** never transform files whose path matches */
  exclude?: RegExp;
  /** file name of the manifest written into outdir (default 'teleport-manifest.json'); false to skip */
  manifest?: string | false;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

function toMessage(d: Diagnostic, root: string): Message {
  return {
    id: 'teleport', pluginName: 'teleport', text: d.message, notes: d.hint ? [{ text: d.hint, location: null }] : [], detail: undefined,
    location: { file: path.join(root, d.file), namespace: 'file', line: d.line, column: d.column - 1, length: 0, lineText: '', suggestion: '' },
  };
}

export function teleport(options: TeleportPluginOptions = {}): Plugin {
  return {
    name: 'teleport',
    setup(build) {
      const root = options.root ?? build.initialOptions.absWorkingDir ?? process.cwd();
      const manifests = new Map<string, ModuleManifest>();
      const entries = entryPaths(build.initialOptions.entryPoints, build.initialOptions.absWorkingDir ?? process.cwd());
      const stripTypes = typeStripper(build);

      build.onStart(() => {
        manifests.clear();
      });

      // The runtime must be one instance per thread, shared by the bundle and the worker entry.
      build.onResolve({ filter: /^teleport(\/.*)?$/ }, (args) => ({ path: args.path, external: true }));

      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.namespace !== 'file' || !shouldTransform(args.path, { nodeModules: options.nodeModules })) return undefined;
        if (options.include && !options.include.test(args.path)) return undefined;
        if (options.exclude && options.exclude.test(args.path)) return undefined;
        const entry = entries.has(path.resolve(args.path));
        const jsx = /x$/.test(args.path);
        let result: TransformResult;
        if (TYPESCRIPT.test(args.path)) {
          // the core gets esbuild's JavaScript and its map back to the TypeScript
          const js = await stripTypes(args.path);
          if ('errors' in js) return { errors: js.errors };
          result = transformModule(js.code, args.path, { root, entry, language: 'js', jsx, inputMap: js.map });
          if (result.untouched) {
            // a CommonJS module is not instrumented: esbuild gets the TypeScript itself, as without
            // the plugin (it reads `export =` differently from the `module.exports` it compiles to)
            manifests.set(args.path, result.manifest);
            return { contents: js.map.sourcesContent?.[0] ?? await fs.readFile(args.path, 'utf8'), loader: jsx ? 'tsx' : 'ts', warnings: result.diagnostics.map((d) => toMessage(d, root)) };
          }
        } else {
          result = transformModule(await fs.readFile(args.path, 'utf8'), args.path, { root, entry, language: 'js', jsx });
        }
        manifests.set(args.path, result.manifest);
        const map = Buffer.from(JSON.stringify({ ...result.map, sources: [args.path] })).toString('base64');
        return {
          contents: `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n`,
          // (JSX is still there when the tsconfig says `"jsx": "preserve"`)
          loader: jsx ? 'jsx' : 'js',
          errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => toMessage(d, root)),
          warnings: result.diagnostics.filter((d) => d.severity === 'warning').map((d) => toMessage(d, root)),
        };
      });

      build.onEnd(async (result) => {
        const { manifest, diagnostics } = buildManifest([...manifests.values()]);
        for (const d of diagnostics) result.errors.push(toMessage(d, root));
        const outdir = build.initialOptions.outdir ?? (build.initialOptions.outfile ? path.dirname(build.initialOptions.outfile) : undefined);
        if (options.manifest === false || !outdir || build.initialOptions.write === false) return;
        await fs.mkdir(outdir, { recursive: true });
        await fs.writeFile(path.join(outdir, options.manifest ?? 'teleport-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      });
    },
  };
}

/** Absolute paths of the build's entry points (esbuild accepts several shapes). */
function entryPaths(entryPoints: unknown, cwd: string): Set<string> {
  const list: string[] = [];
  if (Array.isArray(entryPoints)) {
    for (const e of entryPoints) list.push(typeof e === 'string' ? e : (e as { in: string }).in);
  } else if (entryPoints && typeof entryPoints === 'object') {
    list.push(...Object.values(entryPoints as Record<string, string>));
  }
  return new Set(list.map((e) => path.resolve(cwd, e)));
}

export default teleport;
