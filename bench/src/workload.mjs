// Workloads shared by the Teleport benchmark program (bundled with the transform) and the peers'
// worker files (plain JS), so both sides run the same code per item.

/** trivial per-item work (task latency, map throughput) */
export function inc(x) {
  return x + 1;
}

/** CPU-bound work: `iters` rounds of an integer LCG (about 1 ns per round), no allocation */
export function spin(seed, iters) {
  let x = seed | 0;
  for (let i = 0; i < iters; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x;
}

/** the large-capture data set: a Float64Array of `n` deterministic values */
export function makeData(n) {
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (i % 1009) * 0.001;
  return data;
}

/** one query over the data: the sum of a window of `w` values at a position derived from `i` */
export function windowSum(data, i, w) {
  const start = (i * 7919) % (data.length - w);
  let s = 0;
  for (let j = start, end = start + w; j < end; j++) s += data[j];
  return s;
}
