// The child-process backend through the public API, in real child processes: same results as
// threads, setup once per child, a crash fails only its own task (with a WorkerError that says
// why), abort/timeout/terminate/idleTimeout, and no child outlives its pool or its program.
import { describe, expect, it } from 'vitest';
import { build, jsonLines, run, type Flavor } from './support/build.js';

type Outcome = { value?: unknown; error?: string; name?: string; message?: string };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each<Flavor>(['esbuild', 'tspc'])('processes backend, built with %s', (flavor) => {
  let out: Record<string, any>;
  let stderr: string;

  it('builds and runs', async () => {
    const r = run(await build('fixtures/programs/processes.ts', flavor), { TP_CASE: 'main' });
    stderr = r.stderr;
    expect(r.status, r.stderr).toBe(0);
    out = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, l.value]));
  }, 60_000);

  it('run, map, starmap, imap, instances and thrown errors give what threads give', () => {
    const { processes, same } = out.results;
    expect(same).toBe(true);
    expect(processes.run).toBe(45);
    expect(processes.map.slice(0, 4)).toEqual([3, 5, 9, 15]);
    expect(processes.starmap).toEqual(['aaaa', 'bbbbb']);
    expect(processes.imap).toEqual(['X0', 'Y1', 'Z2']);
    expect(processes.instance).toEqual([true, 5]);
    expect(processes.thrown).toEqual(['RangeError', 'bad 3']);
  });

  it('each crash fails only its own task, with a WorkerError naming the cause', () => {
    const [ok0, exit, ok1, kill, ok2, uncaught, ok3, ok4] = out.crashes as Outcome[];
    for (const [i, ok] of [ok0, ok1, ok2, ok3, ok4].entries()) expect(ok!.value).toMatchObject({ i, runs: 1 });
    expect(exit).toMatchObject({ error: 'WorkerError', name: 'WorkerError' });
    expect(exit!.message).toMatch(/^teleport: child process \d+ exited with code 3 while running the task \(process\.exit\?\); it was replaced$/);
    expect(kill!.error).toBe('WorkerError');
    expect(kill!.message).toMatch(/^teleport: child process \d+ was killed by SIGKILL while running the task/);
    expect(uncaught!.error).toBe('WorkerError');
    expect(uncaught!.message).toMatch(/^teleport: child process \d+ exited with code 1 after an uncaught exception/);
    expect(uncaught!.message).toContain('Error: boom from a timer');
    // the child's stderr is forwarded, not swallowed
    expect(stderr).toContain('boom from a timer');
  });

  it('out of memory under resourceLimits is named as such; the next task runs', () => {
    const [oom, after] = out.oom as Outcome[];
    expect(oom!.error).toBe('WorkerError');
    expect(oom!.message).toMatch(/^teleport: child process \d+ ran out of memory \(resourceLimits\.maxOldGenerationSizeMb = 32\) while running the task/);
    expect(after!.value).toBe('after the OOM');
  });

  it('setup runs exactly once in every child, replacements included', () => {
    // every task saw setup run once in its child; every child ran it once
    for (const r of out['after crashes'] as { runs: number }[]) expect(r.runs).toBe(1);
    expect(out.setup.pids).toBe(out.setup.distinct);
    // 2 first children, one replacement per crash, plus those of the other pools
    expect(out.setup.distinct).toBeGreaterThanOrEqual(5);
  });

  it('a child that dies while idle is replaced with a TeleportWarning', () => {
    const { warnings, replaced, runs } = out['idle death'];
    expect(warnings).toEqual([expect.stringMatching(/^TeleportWarning: teleport: child process \d+ was killed by SIGKILL while idle/)]);
    expect(replaced).toBe(true);
    expect(runs).toBe(1);
  });

  it('abort drops a queued task and stops a running one; timeout too; the pool stays usable', () => {
    const { aborts, ms, timedOut, usable } = out.abort;
    expect(aborts).toEqual([
      { value: 'long done' },
      { error: 'Error', name: 'Error', message: 'dropped while queued' },
      { error: 'Error', name: 'Error', message: 'stopped while running' },
    ]);
    expect(ms).toBeLessThan(5000); // not the task's 30 s
    expect(timedOut).toEqual(['TimeoutError', 'the task timed out after 300 ms (its worker was stopped and replaced)']);
    expect(usable).toBe('still usable');
  });

  it('a call function cache overflow in a child is handled by resending the function', () => {
    // 40 calls interleaved on one child whose cache holds 32: chunks came back 'missing' and were resent
    expect(out['many calls'].ok).toBe(true);
    expect(out['many calls'].fnLoads).toBeGreaterThan(40);
  });

  it('idleTimeout stops an idle child; the next task starts a new one, with its setup', () => {
    expect(out['idle timeout']).toEqual({ gone: true, second: true, runs: 1, logged: true });
  });

  it('terminate rejects running and queued tasks', () => {
    expect(out.terminate).toEqual([
      { error: 'WorkerError', name: 'WorkerError', message: 'teleport: the pool was terminated' },
      { error: 'WorkerError', name: 'WorkerError', message: 'teleport: the pool was terminated' },
    ]);
  });

  it('no child process is left after close and terminate', () => {
    expect(out.leftovers).toEqual({ alive: [], children: [] });
  });
});

describe('processes backend, built with esbuild', () => {
  it('idle children do not keep a program alive when it forgets close(), and leave with it', async () => {
    const file = await build('fixtures/programs/processes.ts', 'esbuild', '-forgotten');
    const t0 = Date.now();
    const r = run(file, { TP_CASE: 'forgotten' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pids = jsonLines(r.stdout)[0]!.value as unknown as number[];
    expect(pids.length).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 40 && pids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);

  it('a trivial run() costs about the same on processes as on threads', async () => {
    const r = run(await build('fixtures/programs/processes.ts', 'esbuild', '-latency'), { TP_CASE: 'latency' });
    expect(r.status, r.stderr).toBe(0);
    const { threads, processes } = jsonLines(r.stdout)[0]!.value as unknown as Record<string, number>;
    console.log(`pool.run(() => 1), ms per call: threads ${threads.toFixed(3)}, processes ${processes.toFixed(3)}`);
    expect(processes).toBeLessThan(5);
  }, 30_000);
});
