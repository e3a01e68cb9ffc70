// The executor API in real workers, through the public API (fixtures/programs/executor.ts):
// setup, starmap, imap (ordered, lazy, infinite input), imapUnordered, progress, item errors,
// abort, timeout, crashes (exit, uncaught timer exception, out of memory), back-pressure, large
// captures sent once per worker, close and terminate; on threads also with `atomics: 'sync'`
// (idle workers blocked in Atomics.wait).
import { describe, expect, it } from 'vitest';
import { build, jsonLines, poolConfigs, run, tagOf } from './support/build.js';

describe.each(poolConfigs)('executor on %s', (label, backend, env) => {
  let byName: Record<string, unknown> = {};

  it('runs every scenario', async () => {
    const r = run(await build('fixtures/programs/executor.ts', 'esbuild', tagOf(label)), { TP_BACKEND: backend, ...env });
    // child processes forward their stderr (the crash scenarios print there on purpose)
    if (backend === 'threads') expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    byName = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, (l as unknown as { value: unknown }).value]));
  });

  it('setup runs exactly once per worker, and may be a closure', () => {
    // (on a loaded machine one worker may take every item: at least one, at most size)
    const r = byName['setup once per worker'] as { workers: number; runs: number[]; greeting: string };
    expect(r.workers).toBeGreaterThanOrEqual(1);
    expect(r.workers).toBeLessThanOrEqual(2);
    expect(r).toMatchObject({ runs: [1], greeting: 'hello' });
  });

  it('starmap, imap (ordered), imapUnordered (as ready), async iterable input', () => {
    expect(byName['starmap']).toEqual([6, 20, 42]);
    expect(byName['imap keeps order']).toEqual([0, 10, 20, 30, 40]);
    expect(byName['imapUnordered yields as ready']).toEqual({ first: 1, last: 0, sorted: [0, 1, 2, 3, 4, 5] });
    expect(byName['map over an async iterable']).toEqual([1, 2, 3, 4, 5]);
  });

  it('imap consumes an infinite generator lazily', () => {
    expect(byName['imap over an infinite generator']).toEqual({ n: 1000, last: 999 * 999, pulledBound: true });
  });

  it('onProgress reports done/total after each message', () => {
    expect(byName['onProgress']).toEqual({ count: 10, last: { done: 100, total: 100 }, monotonic: true });
  });

  it('a failing item keeps its class and names its index', () => {
    expect(byName['map failure names the item']).toEqual({ cls: 'RangeError', name: 'RangeError', message: 'unlucky [map item 13]', itemIndex: 13 });
  });

  it('abort stops running tasks and rejects with AbortError; timeout rejects with TimeoutError; the pool stays usable', () => {
    expect(byName['abort']).toMatchObject({ name: 'AbortError', fast: true });
    expect(byName['usable after abort']).toBe(2);
    expect(byName['timeout']).toMatchObject({ name: 'TimeoutError' });
    expect((byName['timeout'] as { message: string }).message).toContain('timed out after 200 ms');
    expect(byName['usable after timeout']).toBe(3);
  });

  it('a crashing worker fails only its own task, with the cause named; the others complete', () => {
    const [exit, ok1, timer, ok2, oom, mapped] = byName['crashes'] as { ok: boolean; v?: unknown; e?: { cls: string; message: string } }[];
    expect(exit.e).toMatchObject({ cls: 'WorkerError' });
    expect(exit.e!.message).toMatch(/exited with code 3/);
    expect(ok1).toEqual({ ok: true, v: 42 });
    expect(timer.e!.cls).toBe('WorkerError');
    expect(timer.e!.message).toContain('boom from a timer');
    expect(ok2).toEqual({ ok: true, v: 42 });
    expect(oom.e!.cls).toBe('WorkerError');
    expect(oom.e!.message).toMatch(/out of memory/);
    expect(mapped).toEqual({ ok: true, v: [0, 3, 6, 9, 12, 15, 18, 21, 24, 27] });
    expect(byName['usable after crashes']).toBe(0);
  });

  it('maxQueue bounds outstanding tasks (callers wait)', () => {
    expect(byName['maxQueue']).toEqual({ results: [0, 1, 2, 3, 4, 5], tasks: 6 });
  });

  it('a 50 MB capture crosses to each worker once per call, not once per item', () => {
    const r = byName['large capture'] as { ok: boolean; fnBytesPosted: number; fnLoads: number; tasks: number };
    expect(r.ok).toBe(true);
    expect(r.fnLoads).toBeLessThanOrEqual(2);
    expect(r.fnBytesPosted).toBeLessThan(2 * 50 * 1024 * 1024 + 1_000_000);
    expect(r.fnBytesPosted).toBeGreaterThan(50 * 1024 * 1024);
  });

  it('a call sends its arguments as they were when it was made, even when its message waits', () => {
    for (const q of ['undefined', '0']) {
      expect(byName[`snapshots (maxQueue ${q})`]).toEqual({ runs: Array.from({ length: 12 }, (_, i) => [i, i, i, 1]) });
    }
  });

  it('a captured typed array is a private copy in each worker (no view into shared memory)', () => {
    expect(byName['captured typed arrays are private']).toEqual({ local: 0, perWorkerCountsAreOneToN: true, total: 40 });
  });

  it('large captured typed arrays arrive intact (views, DataView, shared identity) as private copies', () => {
    expect(byName['large captures out of band']).toEqual({ r: Array.from({ length: 4 }, () => [1000, 199_000, 299_999, true, true, -5, 9, 7]), localUntouched: true });
  });

  it('a result the transport cannot carry fails its own task with an error naming it; the worker survives', () => {
    const r = byName['result the transport cannot carry'] as { first: Record<string, unknown>; sameWorker: boolean };
    if (backend === 'threads') expect(r.first).toMatchObject({ ok: true, bytes: 8 }); // shared between threads
    else expect(r.first).toMatchObject({ ok: false, cls: 'TypeError', message: expect.stringContaining('the result could not be sent back to the main process: #<SharedArrayBuffer> could not be cloned') });
    expect(r.sameWorker).toBe(true);
  });

  it('idleTimeout stops idle workers; a replacement runs setup again', () => {
    expect(byName['idleTimeout']).toEqual({ newWorker: true, setupAgain: true });
  });

  it('close rejects new work; terminate rejects running work with a WorkerError', () => {
    expect(byName['closed pool']).toMatchObject({ message: 'Pool is closed' });
    expect(byName['terminate']).toMatchObject({ cls: 'WorkerError' });
  });
});
