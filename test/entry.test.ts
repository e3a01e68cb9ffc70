// The entry module's top level runs exactly once, in the main thread, while its functions run in
// workers; an imported library's top level runs in each worker that needs it (by reference).
import { describe, expect, it } from 'vitest';
import { build, run, type Flavor } from './support/build.js';

describe.each<Flavor>(['esbuild', 'tspc'])('entry module, built with %s', (flavor) => {
  it('runs its top level once and never in a worker', async () => {
    const r = run(await build('fixtures/programs/entry-once.ts', flavor));
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l === 'entry top level ran')).toHaveLength(1);
    expect(lines.filter((l) => l === 'lib loaded in thread main')).toHaveLength(1);
    const workerLoads = lines.filter((l) => l === 'lib loaded in thread worker').length;
    expect(workerLoads).toBeGreaterThanOrEqual(1);
    expect(workerLoads).toBeLessThanOrEqual(2);
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toEqual({
      inWorkers: true,
      entryRanInWorker: false,
      values: Array.from({ length: 40 }, (_, i) => 100 + i),
      libThreadIsWorker: true,
    });
  });
});
