// The uncompiled program is the oracle: every case in fixtures/cases runs uncompiled, compiled
// (in this thread) and compiled-then-sent-to-a-worker, and all three must agree.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, jsonLines, run, type Flavor } from './support/build.js';

const fixtures = readdirSync(new URL('../fixtures/cases', import.meta.url)).filter((f) => f.endsWith('.ts'));
// [compiled flavor, the same toolchain without Teleport] — bundlers rename things differently
const flavors: [Flavor, Flavor][] = [['esbuild', 'plain'], ['tspc', 'tsc']];

describe.each(fixtures)('fixtures/cases/%s', (file) => {
  const entry = `fixtures/cases/${file}`;

  it.each(flavors)('compiled with %s: same results as uncompiled (%s), locally and in a worker', async (flavor, plain) => {
    const base = run(await build(entry, plain), { TP_MODE: 'local' });
    expect(base.stderr).toBe('');
    const oracle = jsonLines(base.stdout);
    expect(oracle.length).toBeGreaterThan(0);
    const r = run(await build(entry, flavor), { TP_MODE: 'remote' });
    expect(r.stderr).toBe('');
    const got = jsonLines(r.stdout);
    // `check` cases must give the oracle's result locally and in a worker; `checkLocal` cases
    // are never sent, so their lines have no `remote` key
    const expected = oracle.map((o) => (o.kind === 'local'
      ? { name: o.name, kind: o.kind, local: o.local }
      : { name: o.name, kind: o.kind, local: o.local, remote: o.local }));
    expect(got).toEqual(expected);
  });
});
