import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import * as util from 'node:util';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { transformSync } from 'esbuild';
import {
  builtinPath,
  resolveBuiltin,
  UnknownBuiltinError,
  _resetForTests,
  _allPathsForTests,
} from '../runtime/builtins.js';

const sizeGetter = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;

/** [function, its expected preferred path] */
const CASES: [Function, string][] = [
  [Math.sin, 'Math.sin'],
  [JSON.parse, 'JSON.parse'],
  [String.prototype.split, 'String.prototype.split'],
  [Array.prototype.map, 'Array.prototype.map'],
  [structuredClone, 'structuredClone'],
  [Object.keys, 'Object.keys'],
  [Object.getOwnPropertyNames, 'Object.getOwnPropertyNames'],
  [Promise.all, 'Promise.all'],
  [Symbol.for, 'Symbol.for'],
  [Map.prototype.get, 'Map.prototype.get'],
  [parseInt, 'parseInt'], // not Number.parseInt: same function, shorter path
  [Map, 'Map'],
  [Set, 'Set'],
  [Date, 'Date'],
  [sizeGetter, 'get Map.prototype.size'],
  [Uint8Array.prototype.map, '%TypedArray%.prototype.map'],
  [String.prototype[Symbol.iterator], 'String.prototype[Symbol.iterator]'],
  [path.join, 'node:path#join'],
  [path.win32.join, 'node:path/win32#join'],
  [util.format, 'node:util#format'],
  [crypto.createHash, 'node:crypto#createHash'],
  [fs.readFileSync, 'node:fs#readFileSync'],
  [fsp.readFile, 'node:fs/promises#readFile'],
];

describe('builtins', () => {
  it.each(CASES.map(([fn, p]) => [p, fn] as const))('round-trips %s', (expected, fn) => {
    const p = builtinPath(fn);
    expect(p).toBe(expected);
    expect(resolveBuiltin(p!)).toBe(fn); // identity, not a copy
  });

  it('resolves aliases to the same function, and prefers the shortest path', () => {
    expect(resolveBuiltin('node:path#posix.join')).toBe(path.posix.join);
    expect(resolveBuiltin(builtinPath(path.posix.join)!)).toBe(path.posix.join);
    expect(resolveBuiltin('node:fs#promises.readFile')).toBe(fsp.readFile);
    expect(resolveBuiltin('Number.parseInt')).toBe(parseInt);
    expect(resolveBuiltin('Array.prototype[Symbol.iterator]')).toBe(Array.prototype.values);
    expect(builtinPath(Array.prototype[Symbol.iterator])).toBe('Array.prototype.values');
    // a global path beats any Node module path for the same function
    expect(builtinPath(setTimeout)).toBe('setTimeout');
    expect(resolveBuiltin('node:timers#setTimeout')).toBe(setTimeout);
  });

  it('returns undefined for user functions', () => {
    expect(builtinPath(() => 1)).toBeUndefined();
    expect(builtinPath(function named() {})).toBeUndefined();
    expect(builtinPath(class Foo {})).toBeUndefined();
    expect(builtinPath(Math.sin.bind(null))).toBeUndefined();
  });

  it('throws UnknownBuiltinError naming the path', () => {
    for (const bad of ['Math.nope', 'node:path#nope', 'node:nomodule#x', '', 'globalThis']) {
      let err: unknown;
      try {
        resolveBuiltin(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnknownBuiltinError);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('UnknownBuiltinError');
      expect((err as Error).message).toContain(JSON.stringify(bad));
    }
  });

  it('does not walk user-defined globals', () => {
    const g = globalThis as Record<string, unknown>;
    g.myUserGlobal = { f() {} };
    try {
      _resetForTests();
      expect(builtinPath((g.myUserGlobal as { f: Function }).f)).toBeUndefined();
      expect(() => resolveBuiltin('myUserGlobal.f')).toThrow(UnknownBuiltinError);
    } finally {
      delete g.myUserGlobal;
    }
  });

  it('is deterministic across rebuilds', () => {
    const table = () => _allPathsForTests().map((p) => `${p} -> ${builtinPath(resolveBuiltin(p))}`);
    _resetForTests();
    const a = table();
    _resetForTests();
    const b = table();
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(1000);
  });

  it('computes the same paths in a worker thread', async () => {
    // The worker cannot import .ts, so hand it this very module transpiled (no imports but node:module).
    const src = fileURLToPath(new URL('../runtime/builtins.ts', import.meta.url));
    const { code } = transformSync(fs.readFileSync(src, 'utf8'), { loader: 'ts', format: 'esm' });
    const dir = mkdtempSync(join(tmpdir(), 'teleport-builtins-'));
    try {
      writeFileSync(join(dir, 'builtins.mjs'), code);
      writeFileSync(
        join(dir, 'worker.mjs'),
        `import { parentPort } from 'node:worker_threads';
         import { builtinPath, resolveBuiltin, _allPathsForTests } from './builtins.mjs';
         parentPort.postMessage(_allPathsForTests().map((p) => [p, builtinPath(resolveBuiltin(p))]));`,
      );
      const theirs = await new Promise<[string, string][]>((resolve, reject) => {
        const w = new Worker(pathToFileURL(join(dir, 'worker.mjs')));
        w.once('message', (m: [string, string][]) => void w.terminate().then(() => resolve(m)));
        w.once('error', reject);
      });
      _resetForTests();
      const ours = new Map(_allPathsForTests().map((p) => [p, builtinPath(resolveBuiltin(p))]));
      // Every path both sides know must get the same preferred path on both sides.
      const differ = theirs.filter(([p, pref]) => ours.has(p) && ours.get(p) !== pref);
      expect(differ).toEqual([]);
      // The sets may differ only by what really differs between the two: e.g. process.send exists
      // in this (vitest fork) child process but not in a worker thread.
      const theirSet = new Set(theirs.map(([p]) => p));
      const onlyOurs = [...ours.keys()].filter((p) => !theirSet.has(p));
      const onlyTheirs = [...theirSet].filter((p) => !ours.has(p));
      // (vitest also swaps in its own console, with fewer members than Node's)
      const perThread = (p: string) => p.startsWith('process.') || p.startsWith('console.');
      expect(onlyOurs.filter((p) => !perThread(p))).toEqual([]);
      expect(onlyTheirs.filter((p) => !perThread(p))).toEqual([]);
      expect(theirSet.size).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds in well under 50 ms and misses in O(1)', () => {
    _resetForTests();
    const t0 = performance.now();
    builtinPath(() => 0); // a miss forces both stages
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(200); // generous for loaded CI machines; typically ~10-20 ms
    const user = () => 0;
    const t1 = performance.now();
    for (let i = 0; i < 100_000; i++) builtinPath(user);
    expect(performance.now() - t1).toBeLessThan(100);
  });
});
