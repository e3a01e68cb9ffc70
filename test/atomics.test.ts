// Pool's `atomics` option (fixtures/programs/atomics.ts): bad values and 'sync' with child
// processes are rejected with errors naming the option; with 'sync' a timer that a task leaves in
// its worker does not fire while the worker is idle, nor during a next task that does not wait on
// the event loop, only once a task awaits (the default keeps the idle worker's event loop
// running). The executor and repeated-call suites run on 'sync' too (executor/calls.test.ts).
import { describe, expect, it } from 'vitest';
import { build, jsonLines, run, tagOf } from './support/build.js';

describe.each([
  ['disabled (the default)', {}],
  ['sync', { TP_ATOMICS: 'sync' }],
] as const)('atomics: %s', (atomics, env) => {
  let byName: Record<string, unknown> = {};

  it('runs every scenario', async () => {
    const r = run(await build('fixtures/programs/atomics.ts', 'esbuild', tagOf(atomics)), env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    byName = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, (l as unknown as { value: unknown }).value]));
  });

  it('rejects values other than disabled and sync, and sync with child processes', () => {
    expect(byName['validation']).toEqual({
      async: { cls: 'RangeError', message: "Pool: atomics must be 'disabled' or 'sync', received string ('async')" },
      processesSync: { cls: 'RangeError', message: "Pool: atomics: 'sync' applies only to backend 'threads' (child processes take tasks as IPC messages)" },
      processesDisabled: 'ok',
    });
  });

  it('a timer left by a task fires in the idle worker only with the default', () => {
    expect(byName['timer left by a task']).toEqual(
      atomics === 'sync' ? { idle: 0, afterSyncTask: 0, inAwaitingTask: 1 } : { idle: 1, afterSyncTask: 1, inAwaitingTask: 1 },
    );
  });
});
