// bench/src/closures.ts
var RING = 1024;
var MASK = RING - 1;
var ring = new Array(RING).fill(null);
function make(k) {
  return (x) => x + k;
}
function capturing(n) {
  for (let i = 0; i < n; i++) ring[i & MASK] = make(i);
}
function captureFree(n) {
  for (let i = 0; i < n; i++) ring[i & MASK] = (x) => x * 2;
}
function perIterationLet(n) {
  for (let i = 0; i < n; i++) ring[i & MASK] = (x) => x + i;
}
function objectMethod(n) {
  for (let i = 0; i < n; i++) {
    ring[i & MASK] = {
      v: i,
      get(x) {
        return x + this.v;
      }
    };
  }
}
var Counter = class {
  n;
  constructor(n) {
    this.n = n;
  }
  inc() {
    return ++this.n;
  }
};
function classInstance(n) {
  for (let i = 0; i < n; i++) {
    const c = new Counter(i);
    c.inc();
    ring[i & MASK] = c;
  }
}
var Button = class {
  label;
  constructor(label) {
    this.label = label;
  }
  onClick = (x) => x + this.label;
};
function classArrowField(n) {
  for (let i = 0; i < n; i++) ring[i & MASK] = new Button(i);
}
function sumFns() {
  let s = 0;
  for (let j = 0; j < RING; j++) s = s + ring[j](j) | 0;
  return s;
}
function sumObjects() {
  let s = 0;
  for (let j = 0; j < RING; j++) s = s + ring[j].get(j) | 0;
  return s;
}
function sumCounters() {
  let s = 0;
  for (let j = 0; j < RING; j++) s = s + ring[j].n | 0;
  return s;
}
function sumButtons() {
  let s = 0;
  for (let j = 0; j < RING; j++) s = s + ring[j].onClick(j) | 0;
  return s;
}
var patterns = {
  capturing: { run: capturing, check: sumFns, unit: "ns/closure" },
  captureFree: { run: captureFree, check: sumFns, unit: "ns/closure" },
  perIterationLet: { run: perIterationLet, check: sumFns, unit: "ns/closure" },
  objectMethod: { run: objectMethod, check: sumObjects, unit: "ns/object" },
  classInstance: { run: classInstance, check: sumCounters, unit: "ns/instance" },
  classArrowField: { run: classArrowField, check: sumButtons, unit: "ns/instance" }
};
var sink = [];
function otherKinds(i) {
  sink.length = 0;
  sink.push(
    function(x) {
      return x + i;
    },
    async (x) => x + i,
    async function(x) {
      return x + i;
    },
    function* (x) {
      yield x + i;
    },
    async function* (x) {
      yield x + i;
    },
    { m(x) {
      return x + i;
    } },
    { get g() {
      return i;
    } }
  );
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function main(argv) {
  const [name, warmupS, batchesS, sizeS, isolatedS] = argv;
  const p = patterns[name];
  if (!p) throw new Error(`unknown pattern ${name}; one of ${Object.keys(patterns).join(", ")}`);
  const warmup = Number(warmupS ?? 5), batches = Number(batchesS ?? 15), size = Number(sizeS ?? 1e6);
  let checksum = 0;
  if (isolatedS !== "1") {
    for (let r = 0; r < 20; r++) {
      otherKinds(r);
      for (const q of Object.values(patterns)) {
        q.run(2e3);
        checksum = checksum + q.check() | 0;
      }
    }
  }
  for (let b = 0; b < warmup; b++) {
    p.run(size);
    checksum = checksum + p.check() | 0;
  }
  const ns = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    p.run(size);
    const t1 = process.hrtime.bigint();
    ns.push(Number(t1 - t0) / size);
    checksum = checksum + p.check() | 0;
  }
  const out = { pattern: name, unit: p.unit, ns: median(ns), min: Math.min(...ns), max: Math.max(...ns), batches: ns.length, size, checksum };
  process.stdout.write(JSON.stringify(out) + "\n");
}
main(process.argv.slice(2));
