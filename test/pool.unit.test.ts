// Unit tests for pool.ts's pure helpers (range, chunkPlan and chunkSize validation); they need
// neither worker threads nor the real pickle, which is mocked out.

import { describe, expect, it, vi } from 'vitest';

vi.mock('../runtime/pickle.js', () => ({
  pack: () => {
    throw new Error('pickle is not used by these unit tests');
  },
  unpack: () => {
    throw new Error('pickle is not used by these unit tests');
  },
}));

const { range, chunkPlan } = await import('../runtime/pool.js');

describe('range', () => {
  it('range(stop)', () => {
    expect(range(5)).toEqual([0, 1, 2, 3, 4]);
    expect(range(0)).toEqual([]);
    expect(range(-3)).toEqual([]);
  });

  it('range(start, stop)', () => {
    expect(range(2, 5)).toEqual([2, 3, 4]);
    expect(range(5, 2)).toEqual([]);
    expect(range(-2, 1)).toEqual([-2, -1, 0]);
  });

  it('range(start, stop, step)', () => {
    expect(range(0, 10, 3)).toEqual([0, 3, 6, 9]);
    expect(range(0, 9, 3)).toEqual([0, 3, 6]);
    expect(range(5, 0, -2)).toEqual([5, 3, 1]);
    expect(range(5, 0, -1)).toEqual([5, 4, 3, 2, 1]);
    expect(range(0, 5, -1)).toEqual([]);
  });

  it('rejects step 0 and non-integers', () => {
    expect(() => range(0, 5, 0)).toThrow(RangeError);
    expect(() => range(0, 5, 0)).toThrow(/step/);
    expect(() => range(2.5)).toThrow(RangeError);
    expect(() => range(0, Number.NaN)).toThrow(RangeError);
    expect(() => range(0, Infinity)).toThrow(RangeError);
    expect(() => range(0, 5, 0.5)).toThrow(RangeError);
  });
});

/** Asserts the plan's chunks are non-empty, consecutive, and cover 0..n-1 exactly once. */
function expectCovers(plan: { start: number; end: number }[], n: number): void {
  let next = 0;
  for (const { start, end } of plan) {
    expect(start).toBe(next);
    expect(end).toBeGreaterThan(start);
    next = end;
  }
  expect(next).toBe(n);
}

describe('chunkPlan', () => {
  it('chunks 20,000 items for 2 workers into at most 16 messages, covering each index once in order', () => {
    const plan = chunkPlan(20_000, 2);
    expect(plan.length).toBeGreaterThan(1);
    expect(plan.length).toBeLessThanOrEqual(16);
    expectCovers(plan, 20_000);
  });

  it('default chunk length is ceil(n / (size * 4)) within [1, 10_000]', () => {
    expect(chunkPlan(20_000, 2)[0]).toEqual({ start: 0, end: 2_500 });
    expect(chunkPlan(10, 4)).toHaveLength(10); // ceil(10 / 16) = 1 item per chunk
    expect(chunkPlan(3, 8).map((c) => c.end - c.start)).toEqual([1, 1, 1]);
    const huge = chunkPlan(1_000_000, 1); // ceil(1e6 / 4) = 250,000 -> capped to 10,000
    expect(huge[0]).toEqual({ start: 0, end: 10_000 });
    expect(huge).toHaveLength(100);
    expectCovers(huge, 1_000_000);
  });

  it('handles empty input and a last partial chunk', () => {
    expect(chunkPlan(0, 4)).toEqual([]);
    expect(chunkPlan(10, 1, 4)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 10 },
    ]);
  });

  it('an explicit chunkSize overrides the default (even above 10,000)', () => {
    expect(chunkPlan(20_000, 2, 1)).toHaveLength(20_000);
    expect(chunkPlan(20_000, 2, 15_000)).toEqual([
      { start: 0, end: 15_000 },
      { start: 15_000, end: 20_000 },
    ]);
    expectCovers(chunkPlan(12_345, 3, 7), 12_345);
  });

  it('validates chunkSize: positive integer, else RangeError', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => chunkPlan(10, 2, bad)).toThrow(RangeError);
    }
    expect(() => chunkPlan(10, 2, '3' as unknown as number)).toThrow(RangeError);
    expect(() => chunkPlan(10, 2, 0)).toThrow(/chunkSize must be a positive integer/);
  });

  it('validates n and size', () => {
    expect(() => chunkPlan(-1, 2)).toThrow(RangeError);
    expect(() => chunkPlan(10, 0)).toThrow(RangeError);
    expect(() => chunkPlan(10, 1.5)).toThrow(RangeError);
  });
});
