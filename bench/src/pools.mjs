// The peers' side of the pool benchmarks, plain JavaScript (no transform): piscina and tinypool
// with a static worker file, workerpool with exec(fn), and a raw worker_threads ping-pong, each
// used as its documentation shows. One measurement per fresh process:
//
//   node bench/src/pools.mjs <benchmark> <peer> '<json config>'
//
// and prints one JSON line.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { median, reply, timeOps, timeReps } from './measure.mjs';
import { spin } from './workload.mjs';

const [bench, peer, json = '{}'] = process.argv.slice(2);
const cfg = JSON.parse(json);
const size = cfg.size ?? os.availableParallelism();
const TASK = new URL('./workers/task.mjs', import.meta.url).href;

/** Every peer as { call(x) → Promise, close() }, with `size` threads started up front. */
function open(name, threads) {
  switch (name) {
    case 'piscina': {
      const pool = new Piscina({ filename: TASK, minThreads: threads, maxThreads: threads });
      return { call: (x) => pool.run(x), close: () => pool.destroy() };
    }
    case 'tinypool': {
      const pool = new Tinypool({ filename: TASK, minThreads: threads, maxThreads: threads });
      return { call: (x) => pool.run(x), close: () => pool.destroy() };
    }
    case 'workerpool': {
      // exec(fn): workerpool stringifies fn and evaluates it in the worker (no captures allowed)
      const pool = workerpool.pool({ minWorkers: threads, maxWorkers: threads, workerType: 'thread' });
      const fn = (x) => (typeof x === 'number' ? x + 1 : ((s, n) => { let v = s | 0; for (let i = 0; i < n; i++) v = (Math.imul(v, 1103515245) + 12345) | 0; return v; })(x[0], x[1]));
      return { call: (x) => pool.exec(fn, [x]), close: () => pool.terminate() };
    }
    case 'worker_threads': {
      // one worker, one message in flight: the floor for a round trip
      const worker = new Worker(new URL('./workers/raw.mjs', import.meta.url));
      let resolve;
      worker.on('message', (v) => resolve(v));
      return { call: (x) => new Promise((r) => { resolve = r; worker.postMessage(x); }), close: () => worker.terminate() };
    }
    default:
      throw new Error(`unknown peer ${name}`);
  }
}

async function latency() {
  const pool = open(peer, size);
  await Promise.all(Array.from({ length: peer === 'worker_threads' ? 1 : size * 2 }, (_, i) => pool.call(i)));
  let ok = true;
  const t = await timeOps(async (i) => {
    if ((await pool.call(i)) !== i + 1) ok = false;
  }, cfg);
  await pool.close();
  if (!ok) throw new Error('latency: wrong results');
  return { us: t.us, batches: t.batches, batchSize: t.batchSize, cpuUs: t.cpuUs, window: t.window };
}

/** one task per item, all submitted at once (Promise.all over items.map(run)) */
async function mapThroughput() {
  const n = cfg.n;
  const pool = open(peer, size);
  const items = Array.from({ length: n }, (_, i) => i);
  await Promise.all(items.slice(0, 1000).map((x) => pool.call(x)));
  let last = [];
  const t = await timeReps(async () => {
    last = await Promise.all(items.map((x) => pool.call(x)));
  }, { warm: 0, reps: cfg.reps });
  await pool.close();
  if (last.length !== n || last[n - 1] !== n) throw new Error('map: wrong results');
  return { ms: t.ms, reps: t.reps, itemsPerSec: n / (t.ms / 1000), usPerItem: (t.ms * 1000) / n };
}

/** CPU-bound items, one task per item, on w = 1..maxWorkers threads, taking turns with a serial run */
async function cpuSpeedup() {
  const seeds = Array.from({ length: cfg.items }, (_, i) => i + 1);
  const ws = Array.from({ length: cfg.maxWorkers }, (_, i) => i + 1);
  const pools = ws.map((w) => open(peer, w));
  const variants = [['serial', () => seeds.map((s) => spin(s, cfg.iters))], ...ws.map((w, i) => [`w${w}`, () => Promise.all(seeds.map((s) => pools[i].call([s, cfg.iters])))])];
  const ms = Object.fromEntries(variants.map(([k]) => [k, []]));
  for (const [, run] of variants) await run(); // warm-up
  for (let r = 0; r < cfg.reps; r++) {
    for (let j = 0; j < variants.length; j++) {
      const [k, run] = variants[(r + j) % variants.length];
      const t0 = process.hrtime.bigint();
      await run();
      ms[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await Promise.all(pools.map((p) => p.close()));
  const serialMs = median(ms.serial);
  return { serialMs, ...Object.fromEntries(ws.map((w) => [`w${w}`, { ms: median(ms[`w${w}`]), reps: ms[`w${w}`], speedup: serialMs / median(ms[`w${w}`]) }])) };
}

const BENCHES = { latency, map: mapThroughput, cpu: cpuSpeedup };
if (!BENCHES[bench]) throw new Error(`unknown benchmark ${bench}`);
reply(await BENCHES[bench]());
// workerpool keeps the process alive on some versions: leave explicitly
process.exit(0);
