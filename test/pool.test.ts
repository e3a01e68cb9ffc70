// Pool through the public API in real workers: map is chunked (20,000 items are a handful of
// messages, not 20,000) and results come back in order; `await using` closes the pool.
import { describe, expect, it } from 'vitest';
import { build, run, type Flavor } from './support/build.js';

describe.each<Flavor>(['esbuild', 'tspc'])('Pool, built with %s', (flavor) => {
  it('chunks map and keeps order', async () => {
    const r = run(await build('fixtures/programs/map-chunks.ts', flavor));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(res.ok).toBe(true);
    expect(res.n).toBe(20_000);
    expect(res.big).toEqual([1, 2, 3]);
    // 20,000 items on 2 workers: about ten messages with adaptive chunks (more when a loaded
    // machine makes items look slow), plus 3 for the chunkSize: 1 call; never one per item
    expect(res.tasks).toBeLessThanOrEqual(100 + 3);
  });
});

describe.each<Flavor>(['esbuild', 'tspc'])('round trips, built with %s', (flavor) => {
  it('applies serialize hooks and noSerialize, and functions and instances come back from workers (and can be sent again)', async () => {
    const r = run(await build('fixtures/programs/roundtrip.ts', flavor));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      hook: ['db://x#reopened', true, 3],
      skipped: [1, true],
      back: 16,
      vec: [true, 10],
      again: 115,
      resend: [41, 85, 42, 41],
      resendAsync: [41, 85, 42, 41],
      sameClass: [true, true, true],
      cause: ['outer', true, 'inner'],
    });
  });
});
