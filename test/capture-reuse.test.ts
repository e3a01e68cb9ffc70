// Reuse of the shared buffer a map call's function is sealed into, in real worker threads
// (fixtures/programs/capture-reuse.ts, built with the esbuild plugin): later calls reuse it, and
// no call sees another's bytes, including messages of a call that stopped early and concurrent calls.
import { beforeAll, describe, expect, it } from 'vitest';
import { build, jsonLines, run } from './support/build.js';

describe('sealed buffer reuse (threads)', () => {
  let byName: Record<string, unknown> = {};

  beforeAll(async () => {
    const r = run(await build('fixtures/programs/capture-reuse.ts', 'esbuild'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    byName = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, (l as unknown as { value: unknown }).value]));
  }, 120_000);

  it('consecutive maps of different large captures see their own bytes; a payload that fits reuses the buffer', () => {
    expect(byName['consecutive maps']).toEqual({ ok: [true, true, true, true], reused: 2 });
  });

  it.each([undefined, 0])('a map stopped early keeps its buffer until its late messages have read it; the next map of the same size gets another, a later one reuses it (maxQueue %s)', (maxQueue) => {
    expect(byName[`early stop (maxQueue ${maxQueue})`]).toEqual({
      stopped: 'first revival fails',
      late: [2, 3], // revived after the stop, their large array read after the second map sealed its function
      lateSawTheirOwnArray: true,
      secondOk: true,
      thirdOk: true,
      reusedBySecond: 0,
      reusedByThird: 1,
    });
  });

  it('a consumer breaking out of imap, then maps of other arrays of the same size', () => {
    expect(byName['imap broken early']).toEqual({ firstOk: true, ok: [true, true] });
  });

  it('concurrent maps each see their own data, one per round reusing the spare', () => {
    expect(byName['concurrent maps']).toEqual({ rounds: [[true, true, true], [true, true, true], [true, true, true]], reused: 3 });
  });
});
