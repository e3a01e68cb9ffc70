// esbuild front end: runs the transform core on every project source esbuild loads (TypeScript
// first compiled to JavaScript by esbuild, see strip-types.ts), keeps the runtime (`teleport`)
// external so workers share one registry with the bundle, and writes the build manifest next to
// the output. The core runs in esbuild's own JS thread or, with `workers`, on a small pool of
// worker threads (transform-pool.ts); both give the same output. A context's rebuilds transform
// again only the modules whose input changed (transform-cache.ts).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Message, PartialMessage, Plugin } from 'esbuild';
// (not the core itself: with worker threads, only they load the parser)
import { buildManifest, shouldTransform } from '../../transformer/core/manifest.js';
import type { Diagnostic, ModuleManifest } from '../../transformer/core/types.js';
import type { TransformFailure } from '../../transformer/core/attempt.js';
import { typeStripper } from './strip-types.js';
import { TransformCache } from './transform-cache.js';
import { TransformPool, defaultWorkers } from './transform-pool.js';
import type { TransformOutcome, TransformTask } from './transform-worker.js';

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
  /**
   * worker threads that run the transform, started on the first module and ended when esbuild
   * disposes of the build; 0 runs it in esbuild's JS thread. The output is the same either way.
   * Default: one per core but one, at most 4, and 0 on machines with one or two cores.
   */
  workers?: number;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

function toMessage(d: Diagnostic, root: string): Message {
  return {
    id: 'teleport', pluginName: 'teleport', text: d.message, notes: d.hint ? [{ text: d.hint, location: null }] : [], detail: undefined,
    location: { file: path.join(root, d.file), namespace: 'file', line: d.line, column: d.column - 1, length: 0, lineText: '', suggestion: '' },
  };
}

/** A transform that threw: an error at the file (at the parser's position in a JavaScript file). */
function failure(f: TransformFailure, file: string): PartialMessage {
  return {
    pluginName: 'teleport', text: `Teleport could not transform this file: ${f.message}`,
    location: { file, namespace: 'file', ...(f.line !== undefined ? { line: f.line, column: f.column } : {}) },
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
      // no map is built for a build that writes none (the type strip's map is still asked for: positions, names)
      const sourceMap = !!build.initialOptions.sourcemap;
      const workers = options.workers ?? defaultWorkers();
      if (!Number.isInteger(workers) || workers < 0) throw new Error(`teleport: \`workers\` must be a whole number >= 0, got ${workers}`);
      const pool = workers > 0 ? new TransformPool(workers) : undefined;
      const cache = new TransformCache();
      const transform = async (task: TransformTask): Promise<TransformOutcome> =>
        cache.get(task) ?? cache.set(task, pool ? await pool.run(task) : (await import('./transform-worker.js')).transformTask(task));
      // (esbuild calls this after a one-shot build(), and on a context's dispose())
      build.onDispose(() => {
        cache.clear();
        void pool?.destroy();
      });

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
        const typescript = TYPESCRIPT.test(args.path);
        let task: TransformTask;
        if (typescript) {
          // the core gets esbuild's JavaScript and its map back to the TypeScript
          const js = await stripTypes(args.path);
          if ('errors' in js) return { errors: js.errors };
          task = { code: js.code, file: args.path, options: { root, entry, language: 'js', jsx, sourceMap }, inputMap: js.map };
        } else {
          task = { code: await fs.readFile(args.path, 'utf8'), file: args.path, options: { root, entry, language: 'js', jsx, sourceMap } };
        }
        const out = await transform(task);
        if (!out.ok) return { errors: [failure(out, args.path)] };
        manifests.set(args.path, out.manifest);
        const messages = (severity: Diagnostic['severity']) => out.diagnostics.filter((d) => d.severity === severity).map((d) => toMessage(d, root));
        if (out.untouched && typescript) {
          // a CommonJS module is not instrumented: esbuild gets the TypeScript itself, as without
          // the plugin (it reads `export =` differently from the `module.exports` it compiles to)
          return { contents: await fs.readFile(args.path, 'utf8'), loader: jsx ? 'tsx' : 'ts', warnings: messages('warning') };
        }
        return {
          contents: out.contents,
          // (JSX is still there when the tsconfig says `"jsx": "preserve"`)
          loader: jsx ? 'jsx' : 'js',
          errors: messages('error'),
          warnings: messages('warning'),
        };
      });

      build.onEnd(async (result) => {
        cache.keepOnly(new Set(manifests.keys()));
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
