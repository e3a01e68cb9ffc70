// Paired measurement of two builds of the workload program in one fresh process (run by
// bench/workload.mjs, with --expose-gc):
//
//   node --expose-gc bench/src/interp/pair.mjs <warmMs> <batches> <batchMs> <baseline main.js> <other main.js>...
//
// Every build is imported (each is its own module graph: an instrumented one brings the
// Teleport runtime, the plain one does not), must print the same output, and they are then timed
// by timeInterleaved: each warms up, then their batches alternate (order rotating, a minor GC
// before each), so a burst of load from other processes hits all alike. Replies one JSON line:
// per build the median ms per operation (wall and process CPU time), its instrumented flag, and
// the median of the per-batch ratios build / baseline.
import { pathToFileURL } from 'node:url';
import { median, reply, timeInterleaved } from '../measure.mjs';

const [warmMs, batches, batchMs, ...files] = process.argv.slice(2);
const builds = [];
for (const file of files) {
  const m = await import(pathToFileURL(file).href);
  builds.push({ file, ...m.prepare(), operation: m.operation });
}
const digests = new Set(builds.map((b) => b.digest));
if (digests.size !== 1) throw new Error(`pair: the builds print different output (${[...digests].join(', ')})`);

const ops = Object.fromEntries(builds.map((b, i) => [i, () => b.check(b.operation())]));
const t = timeInterleaved(ops, { warmMs: Number(warmMs), batches: Number(batches), batchMs: Number(batchMs) });
/** median over batch pairs of build i / build 0 */
const ratio = (i, field) => median(t[i][field].map((x, k) => x / t[0][field][k]));
reply({
  builds: builds.map((b, i) => ({
    file: b.file, instrumented: b.instrumented, ms: t[i].us / 1000, cpuMs: t[i].cpuUs / 1000, batchSize: t[i].batchSize,
    ratio: ratio(i, 'batches'), cpuRatio: ratio(i, 'cpuBatches'),
  })),
  digest: builds[0].digest, window: t[0].window,
});
