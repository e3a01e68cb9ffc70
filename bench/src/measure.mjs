// Timing helpers for the pool and pickle benchmark children: a time-based warm-up that also
// calibrates how many operations make one timed batch, then batches timed with hrtime; each
// child reports the median batch (per operation) and all of them.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
/** [from, now] in µs of the monotonic clock --cpu-prof timestamps use: the timed part of a profile */
const windowUs = (from) => [Number(from / 1000n), Number(now() / 1000n)];

/**
 * `op(i)` (sync or async, awaited) repeated: warm-up for `warmMs` (at least 3 operations), then
 * `batches` timed batches of about `batchMs` each. Returns µs per operation.
 */
export async function timeOps(op, { warmMs, batches, batchMs, sync = false, minWarm = 3 }) {
  let n = 1, i = 0, count = 0;
  let perMs = Infinity;
  const end = Date.now() + warmMs;
  while (Date.now() < end || count < minWarm) {
    const t0 = now();
    if (sync) for (let k = 0; k < n; k++) op(i++);
    else for (let k = 0; k < n; k++) await op(i++);
    const ms = msSince(t0);
    perMs = Math.min(perMs, ms / n);
    count += n;
    if (ms < batchMs / 4) n *= 2;
  }
  const size = Math.max(1, Math.round(batchMs / perMs));
  const us = [];
  const from = now();
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    const t0 = now();
    if (sync) for (let k = 0; k < size; k++) op(i++);
    else for (let k = 0; k < size; k++) await op(i++);
    us.push((msSince(t0) * 1000) / size);
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU time of the whole process (every thread) per operation: what the work costs, apart from waiting
  const cpuUs = (cpu.user + cpu.system) / (batches * size);
  return { us: median(us), batches: us.map((x) => Math.round(x * 1000) / 1000), batchSize: size, cpuUs, window: windowUs(from) };
}

/** One whole operation timed `reps` times after `warm` untimed ones; ms each. */
export async function timeReps(op, { warm = 1, reps }) {
  for (let k = 0; k < warm; k++) await op(-1 - k);
  const ms = [];
  const from = now();
  for (let k = 0; k < reps; k++) {
    const t0 = now();
    await op(k);
    ms.push(msSince(t0));
  }
  return { ms: median(ms), reps: ms.map((x) => Math.round(x * 1000) / 1000), window: windowUs(from) };
}

/** the child's answer: one JSON line on stdout (the driver reads the last line) */
export function reply(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/**
 * Several synchronous operations measured side by side: each warms up (time-based) and gets its
 * own batch size, then the timed batches take turns (b1 of every op, b2 of every op, … in a
 * rotating order), so a burst of load from elsewhere hits all of them alike. With --expose-gc, a
 * minor GC (scavenge) before each batch keeps one op's young garbage from being collected on
 * another's time. (Not a full GC: after one, code that was hot runs slowly for a few calls.)
 * µs per operation: wall time (`us`, `batches`) and the process's CPU time (`cpuUs`, `cpuBatches`).
 */
export function timeInterleaved(ops, { warmMs, batches, batchMs, minWarm = 2 }) {
  const sizes = {};
  for (const [key, op] of Object.entries(ops)) {
    let n = 1, count = 0, perMs = Infinity;
    const end = Date.now() + warmMs;
    while (Date.now() < end || count < minWarm) {
      const t0 = now();
      for (let k = 0; k < n; k++) op();
      const ms = msSince(t0);
      perMs = Math.min(perMs, ms / n);
      count += n;
      if (ms < batchMs / 4) n *= 2;
    }
    sizes[key] = Math.max(1, Math.round(batchMs / perMs));
  }
  const keys = Object.keys(ops);
  const us = Object.fromEntries(keys.map((k) => [k, []]));
  const cpu = Object.fromEntries(keys.map((k) => [k, []]));
  const from = now();
  for (let b = 0; b < batches; b++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(b + j) % keys.length];
      const op = ops[key];
      const size = sizes[key];
      globalThis.gc?.({ type: 'minor' }); // (--expose-gc) no op pays for the young garbage of the one before it
      const c0 = process.cpuUsage();
      const t0 = now();
      for (let k = 0; k < size; k++) op();
      us[key].push((msSince(t0) * 1000) / size);
      const c = process.cpuUsage(c0);
      cpu[key].push((c.user + c.system) / size);
    }
  }
  const window = windowUs(from);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  // cpuBatches: the process's CPU time (every thread) per operation in each batch: unlike wall
  // time, it leaves out the time the process waited for a core other processes held
  return Object.fromEntries(keys.map((k) => [k, { us: median(us[k]), batches: us[k].map(r3), cpuUs: median(cpu[k]), cpuBatches: cpu[k].map(r3), batchSize: sizes[k], window }]));
}
