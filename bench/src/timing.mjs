// Timing helpers shared by the micro-benchmark children: median, and warm-up plus batch-size calibration.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Warm-up (time-based, so every tier is reached), then the batch size that takes about batchMs. */
export function warmAndCalibrate(run, check, warmMs, batchMs) {
  let n = 10000, sum = 0;
  const perOp = [];
  const end = Date.now() + warmMs;
  do {
    const t0 = process.hrtime.bigint();
    run(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    perOp.push(ms / n);
    sum = (sum + check()) | 0;
    if (ms < batchMs / 4 && n < 1e7) n *= 2;
  } while (Date.now() < end || perOp.length < 8);
  // fastest of the last batches (robust to a GC pause or a preemption), rounded to 1-2-5 steps so
  // that variants of similar speed run identical batch sizes
  const best = Math.min(...perOp.slice(-5));
  const raw = Math.max(10000, Math.min(2e7, batchMs / best));
  const p = 10 ** Math.floor(Math.log10(raw));
  const size = [1, 2, 5, 10].map((m) => m * p).reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
  return { size: size | 0, sum }; // a Smi: a heap-number loop bound would deoptimise the loop once
}

