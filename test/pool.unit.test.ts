// Pure helpers behind the Pool: Python-style range() and the adaptive chunk sizing of map.
import { describe, expect, it } from 'vitest';
import { range } from '../runtime/range.js';
import { Chunker, MAX_CHUNK, TARGET_MS } from '../runtime/chunking.js';

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

describe('Chunker', () => {
  it('starts with one item, then aims at TARGET_MS of work per message', () => {
    const c = new Chunker(2, undefined);
    expect(c.next()).toBe(1);
    c.observe(1, 2); // 2 ms per item
    expect(c.next()).toBe(Math.ceil(TARGET_MS / 2));
    c.observe(10, 400); // 40 ms per item: slow items are not batched
    expect(c.next()).toBe(1);
  });

  it('batches tiny items up to the cap: 20,000 items on 2 workers take a handful of messages', () => {
    const c = new Chunker(2, 20_000);
    let sent = 0;
    let messages = 0;
    while (sent < 20_000) {
      const n = Math.min(c.next(), 20_000 - sent);
      sent += n;
      messages++;
      c.observe(n, n * 0.001);
    }
    expect(messages).toBeLessThanOrEqual(16);
  });

  it('never exceeds ceil(total / (4 * size)) with a known total, or MAX_CHUNK without', () => {
    const known = new Chunker(4, 1000);
    known.observe(1, 1e-6);
    expect(known.next()).toBe(Math.ceil(1000 / 16));
    const unknown = new Chunker(4, undefined);
    unknown.observe(1, 1e-6);
    expect(unknown.next()).toBe(MAX_CHUNK);
  });

  it('an explicit chunkSize is used as is, and validated', () => {
    const c = new Chunker(2, 100, 7);
    c.observe(7, 1000);
    expect(c.next()).toBe(7);
    for (const bad of [0, -1, 1.5, Number.NaN, '3']) expect(() => new Chunker(2, 10, bad as number)).toThrow(RangeError);
  });
});
