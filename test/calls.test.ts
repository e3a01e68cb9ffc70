// Sending the same function again and again with pool.run (fixtures/programs/repeat-calls.ts, one
// worker): every call gets a fresh snapshot of the captures, made when the call is made; a worker's
// writes never reach a later call; a function the worker keeps keeps its own call's environment;
// and whatever takes a closure out of the short call form (a capture or argument that is not
// plain data, own properties, a new name, a changed prototype, `this`, the temporal dead zone)
// is sent as before. Same results on threads (also with `atomics: 'sync'`) and child processes.
import { describe, expect, it } from 'vitest';
import { build, jsonLines, poolConfigs, run, tagOf } from './support/build.js';

describe.each(poolConfigs)('repeated pool.run calls on %s', (label, backend, env) => {
  let byName: Record<string, unknown> = {};

  it('runs every scenario', async () => {
    const r = run(await build('fixtures/programs/repeat-calls.ts', 'esbuild', tagOf(label)), { TP_BACKEND: backend, ...env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    byName = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, (l as unknown as { value: unknown }).value]));
  });

  it('captures are read per call, and the worker\'s writes to them stay in that call', () => {
    // [count, state.n, state.list.length] as each call saw them
    expect(byName['captures are read per call; worker writes stay there']).toEqual([[1, 1, 1], [1, 1, 1], [7, 7, 1], [107, 107, 2]]);
    expect(byName['captures are read when each call is made']).toEqual([[0, 0, 1], [1, 1, 1], [2, 2, 1], [3, 3, 1]]);
  });

  it('a function the worker keeps keeps the captures of the call that made it', () => {
    expect(byName['a function kept in the worker keeps its own call\'s captures']).toEqual([['first', 'none'], ['second', 'first'], ['third', 'first']]);
  });

  it('a capture may change between plain data and values that need pickling', () => {
    expect(byName['a capture changing between plain data and other values']).toEqual([
      ['number', 1, 0], ['point', 5, 1], ['string', 'two', 2], ['map', [[1, 'a']], 3], ['function', 40], ['object', { plain: true }, 5], ['number', 3, 6],
    ]);
    expect(byName['identity between captures and arguments']).toEqual([[true, true], true]);
  });

  it('own properties, a new name and a changed prototype are sent after the first call', () => {
    expect(byName['own properties and name added after the first call are sent']).toEqual([
      { x: 1, extra: null, name: 'same' }, { x: 2, extra: 42, name: 'same' }, { x: 3, extra: null, name: 'same' }, 'renamed',
    ]);
    expect(byName['a prototype changed after the first call is sent']).toEqual([[11, null], [12, 144], 'TypeError']);
  });

  it('closures over this, bound methods, the temporal dead zone, errors, promises and instances', () => {
    expect(byName['closures over this, and bound methods']).toEqual([4, 31, 6]);
    expect(byName['a capture in its temporal dead zone fails the call']).toEqual(['UnserializableError', 'UnserializableError', 'ready']);
    expect(byName['errors and promises']).toEqual([1, ['RangeError', 'too big: 11'], 15, ['TypeError', 'async']]);
    expect(byName['results that are instances']).toEqual([true, 12]);
  });
});
