// bench/src/closures.ts
import * as $tp from "teleport/hooks";
var $tp$dry = $tp.dry(import.meta.url, 1);
var $tp$M = $tp.module($tp$T(), import.meta.url, $tp$e0, $tp$m0, $tp$x0, 1);
$tp.f(make, $tp$M[0], $tp$e0);
$tp.f(capturing, $tp$M[2], $tp$e0);
$tp.f(captureFree, $tp$M[3], $tp$e0);
$tp.f(perIterationLet, $tp$M[5], $tp$e0);
$tp.f(objectMethod, $tp$M[7], $tp$e0);
$tp.f(classInstance, $tp$M[10], $tp$e0);
$tp.f(classArrowField, $tp$M[13], $tp$e0);
$tp.f(sumFns, $tp$M[14], $tp$e0);
$tp.f(sumObjects, $tp$M[15], $tp$e0);
$tp.f(sumCounters, $tp$M[16], $tp$e0);
$tp.f(sumButtons, $tp$M[17], $tp$e0);
$tp.f(otherKinds, $tp$M[18], $tp$e0);
$tp.f(median, $tp$M[26], $tp$e0);
$tp.f(main, $tp$M[28], $tp$e0);
var RING = 1024;
var MASK = $tp$dry ? void 0 : RING - 1;
var ring = $tp$dry ? void 0 : new Array(RING).fill(null);
function make(k) {
  let $tp$e1;
  return $tp.f((x) => x + k, $tp$M[1], $tp$e1 ??= ($tp$i) => {
    switch ($tp$i) {
      case 0:
        return k;
      default:
        return $tp$e0;
    }
  });
}
function capturing(n2) {
  for (let i = 0; i < n2; i++) ring[i & MASK] = make(i);
}
function captureFree(n2) {
  for (let i = 0; i < n2; i++) ring[i & MASK] = $tp.f((x) => x * 2, $tp$M[4], $tp$e0);
}
function perIterationLet(n2) {
  for (let i = 0; i < n2; i++) ring[i & MASK] = $tp.f((x) => x + i, $tp$M[6], (($tp$i) => {
    switch ($tp$i) {
      case 0:
        return i;
      default:
        return $tp$e0;
    }
  }));
}
function objectMethod(n2) {
  for (let i = 0; i < n2; i++) {
    ring[i & MASK] = $tp.o({
      v: i,
      get(x) {
        return x + this.v;
      }
    }, $tp$M[8], $tp$e0);
  }
}
var Counter = class {
  n;
  constructor(n2) {
    this.n = n2;
  }
  inc() {
    return ++this.n;
  }
};
$tp.c(Counter, $tp$M[9], $tp$e0);
function classInstance(n2) {
  for (let i = 0; i < n2; i++) {
    const c2 = new Counter(i);
    c2.inc();
    ring[i & MASK] = c2;
  }
}
var Button = class {
  label;
  constructor(label) {
    this.label = label;
  }
  onClick = $tp.n((x) => x + this.label, $tp$M[12], $tp$e0);
};
$tp.c(Button, $tp$M[11], $tp$e0);
function classArrowField(n2) {
  for (let i = 0; i < n2; i++) ring[i & MASK] = new Button(i);
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
  let $tp$e2;
  sink.length = 0;
  sink.push(
    $tp.f(function(x) {
      return x + i;
    }, $tp$M[19], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.f(async (x) => x + i, $tp$M[20], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.f(async function(x) {
      return x + i;
    }, $tp$M[21], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.f(function* (x) {
      yield x + i;
    }, $tp$M[22], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.f(async function* (x) {
      yield x + i;
    }, $tp$M[23], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.o({ m(x) {
      return x + i;
    } }, $tp$M[24], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    }),
    $tp.o({ get g() {
      return i;
    } }, $tp$M[25], $tp$e2 ??= ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e0;
      }
    })
  );
}
function median(xs) {
  const s = [...xs].sort($tp.f((a, b) => a - b, $tp$M[27], $tp$e0));
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
if (!$tp$dry) main(process.argv.slice(2));
function $tp$e0($tp$i) {
  switch ($tp$i) {
    case 0:
      return RING;
    case 1:
      return MASK;
    case 2:
      return ring;
    case 3:
      return make;
    case 4:
      return Counter;
    case 5:
      return Button;
    case 6:
      return patterns;
    case 7:
      return sink;
    case 8:
      return otherKinds;
    case 9:
      return median;
  }
}
function $tp$T() {
  return { "module": "lyze2i5yidglilln", "file": "bench/src/closures.ts", "units": [{ "id": "hon3qd4spjbdgycy", "path": "make", "kind": "declaration", "line": 19, "col": 1, "home": 0, "hash": "2f90d322e3cb0562", "decl": 1, "uses": [], "captures": [] }, { "id": "u2fhsomsmdr4jdzg", "path": "make/return", "kind": "arrow", "line": 20, "col": 10, "home": 1, "hash": "e0aada5b7df21732", "decl": 0, "uses": [[1, [0]]], "captures": ["k"] }, { "id": "yh65c23tgqppklfq", "path": "capturing", "kind": "declaration", "line": 22, "col": 1, "home": 0, "hash": "2c438ec2376db16f", "decl": 1, "uses": [[0, [1, 2, 3]]], "captures": ["ring", "MASK", "make"] }, { "id": "adx5wor3mq6jhjiu", "path": "captureFree", "kind": "declaration", "line": 27, "col": 1, "home": 0, "hash": "908433409597985b", "decl": 1, "uses": [[0, [1, 2]]], "captures": ["ring", "MASK"] }, { "id": "poqoo4khabbcmgq5", "path": "captureFree/ring[i & MASK]", "kind": "arrow", "line": 28, "col": 48, "home": 0, "hash": "e0c6a0567d3acd38", "decl": 0, "uses": [], "captures": [] }, { "id": "ldniuays2lc6lddw", "path": "perIterationLet", "kind": "declaration", "line": 32, "col": 1, "home": 0, "hash": "a37497ff3ca9c9cd", "decl": 1, "uses": [[0, [1, 2]]], "captures": ["ring", "MASK"] }, { "id": "k2dukquynyxe7nty", "path": "perIterationLet/ring[i & MASK]", "kind": "arrow", "line": 33, "col": 48, "home": 3, "hash": "5f17ab267f61db41", "decl": 0, "uses": [[3, [0]]], "captures": ["i"] }, { "id": "7fahv6gf7sxs4asq", "path": "objectMethod", "kind": "declaration", "line": 37, "col": 1, "home": 0, "hash": "ab491d10a0aabd27", "decl": 1, "uses": [[0, [1, 2]]], "captures": ["ring", "MASK"] }, { "id": "yexskxqm5tzlibif", "path": "objectMethod/get", "kind": "object-method", "line": 41, "col": 7, "home": 0, "hash": "d4bc2bdc0b01c4d0", "decl": 0, "key": "get", "pkind": "value", "uses": [], "captures": [] }, { "id": "pwkfpomrirnpjve4", "path": "Counter", "kind": "class-declaration", "line": 49, "col": 1, "home": 0, "hash": "6755581bd06cfcdb", "decl": 1, "members": [["inc", "method", 0]], "uses": [], "captures": [] }, { "id": "wely2r4y6e4dzd7g", "path": "classInstance", "kind": "declaration", "line": 58, "col": 1, "home": 0, "hash": "762aca64766b674d", "decl": 1, "uses": [[0, [1, 2, 4]]], "captures": ["Counter", "ring", "MASK"] }, { "id": "jnjoo6qurvkfawls", "path": "Button", "kind": "class-declaration", "line": 67, "col": 1, "home": 0, "hash": "48383998679be587", "decl": 1, "members": [], "uses": [], "captures": [] }, { "id": "iafsw5ubxjqojpz6", "path": "Button/onClick/=>", "kind": "arrow", "line": 72, "col": 13, "home": 0, "hash": "faa228c5fb2849eb", "decl": 0, "name": "onClick", "uses": [], "captures": [] }, { "id": "bi67kov6j6absm7s", "path": "classArrowField", "kind": "declaration", "line": 74, "col": 1, "home": 0, "hash": "8ba85f8089759a18", "decl": 1, "uses": [[0, [1, 2, 5]]], "captures": ["ring", "MASK", "Button"] }, { "id": "3idmpxutegoalyqd", "path": "sumFns", "kind": "declaration", "line": 80, "col": 1, "home": 0, "hash": "17298a479a1b2388", "decl": 1, "uses": [[0, [0, 2]]], "captures": ["RING", "ring"] }, { "id": "yxtbcx37girzur2w", "path": "sumObjects", "kind": "declaration", "line": 85, "col": 1, "home": 0, "hash": "a8a7a7ea64e10b79", "decl": 1, "uses": [[0, [0, 2]]], "captures": ["RING", "ring"] }, { "id": "4aavu6nalxxx3vih", "path": "sumCounters", "kind": "declaration", "line": 90, "col": 1, "home": 0, "hash": "f523f59b0e3f28a9", "decl": 1, "uses": [[0, [0, 2]]], "captures": ["RING", "ring"] }, { "id": "aulveq7phtlbm4sc", "path": "sumButtons", "kind": "declaration", "line": 95, "col": 1, "home": 0, "hash": "9057ef182653f2d8", "decl": 1, "uses": [[0, [0, 2]]], "captures": ["RING", "ring"] }, { "id": "xf5ctcf2aemvfbof", "path": "otherKinds", "kind": "declaration", "line": 113, "col": 1, "home": 0, "hash": "7adc1843a3d17f38", "decl": 1, "uses": [[0, [7]]], "captures": ["sink"] }, { "id": "tvl6ombdnxf3sboq", "path": "otherKinds/sink.push(0)", "kind": "function", "line": 116, "col": 5, "home": 2, "hash": "ac9926f04645a1bd", "decl": 0, "uses": [[2, [0]]], "captures": ["i"] }, { "id": "zps7sbfjsshco67r", "path": "otherKinds/sink.push(1)", "kind": "arrow", "line": 117, "col": 5, "home": 2, "hash": "54f342b436367408", "decl": 0, "uses": [[2, [0]]], "captures": ["i"] }, { "id": "7auody6l4gbw4hn6", "path": "otherKinds/sink.push(2)", "kind": "function", "line": 118, "col": 5, "home": 2, "hash": "e80b7e3beec9a4aa", "decl": 0, "uses": [[2, [0]]], "captures": ["i"] }, { "id": "pyviodlwzb2mrqzm", "path": "otherKinds/sink.push(3)", "kind": "function", "line": 119, "col": 5, "home": 2, "hash": "d7451375b142c63a", "decl": 0, "uses": [[2, [0]]], "captures": ["i"] }, { "id": "mgzk3pefwxd5kaj5", "path": "otherKinds/sink.push(4)", "kind": "function", "line": 120, "col": 5, "home": 2, "hash": "ee0ca79a23fb1012", "decl": 0, "uses": [[2, [0]]], "captures": ["i"] }, { "id": "kuqcae4ky2bupgmx", "path": "otherKinds/m", "kind": "object-method", "line": 121, "col": 7, "home": 2, "hash": "0f3fd3d0480600fd", "decl": 0, "key": "m", "pkind": "value", "uses": [[2, [0]]], "captures": ["i"] }, { "id": "fhpbal74be6kyavd", "path": "otherKinds/get g", "kind": "object-method", "line": 122, "col": 7, "home": 2, "hash": "0c86d85f4f318982", "decl": 0, "key": "g", "pkind": "get", "uses": [[2, [0]]], "captures": ["i"] }, { "id": "ad4mesjjmtchp5yj", "path": "median", "kind": "declaration", "line": 126, "col": 1, "home": 0, "hash": "316cac4d38835ce3", "decl": 1, "uses": [], "captures": [] }, { "id": "2wucutl2ytmsxhgf", "path": "median/[...xs].sort(0)", "kind": "arrow", "line": 127, "col": 26, "home": 0, "hash": "25d7aa65d7f7b3d5", "decl": 0, "uses": [], "captures": [] }, { "id": "2loo5i7mg3vsr7dc", "path": "main", "kind": "declaration", "line": 132, "col": 1, "home": 0, "hash": "1f8a52cef995263e", "decl": 1, "uses": [[0, [6, 8, 9]]], "captures": ["patterns", "median", "otherKinds"] }], "scopes": [[-1, ["RING", "MASK", "ring", "make", "Counter", "Button", "patterns", "sink", "otherKinds", "median"]], [0, ["k"]], [0, ["i"]], [0, ["i"]]] };
}
function $tp$x0(j) {
  switch (j) {
    case 0:
      return make;
    case 2:
      return capturing;
    case 3:
      return captureFree;
    case 5:
      return perIterationLet;
    case 7:
      return objectMethod;
    case 9:
      return Counter;
    case 10:
      return classInstance;
    case 11:
      return Button;
    case 13:
      return classArrowField;
    case 14:
      return sumFns;
    case 15:
      return sumObjects;
    case 16:
      return sumCounters;
    case 17:
      return sumButtons;
    case 18:
      return otherKinds;
    case 26:
      return median;
    case 28:
      return main;
  }
}
function $tp$m0() {
  const $tp$dry2 = false;
  let RING2, MASK2, ring2, make2, Counter2, Button2, patterns2, sink2, otherKinds2, median2;
  function $tp$e02($tp$i) {
    switch ($tp$i) {
      case 0:
        return RING2;
      case 1:
        return MASK2;
      case 2:
        return ring2;
      case 3:
        return make2;
      case 4:
        return Counter2;
      case 5:
        return Button2;
      case 6:
        return patterns2;
      case 7:
        return sink2;
      case 8:
        return otherKinds2;
      case 9:
        return median2;
    }
  }
  return [$tp$e02, ($tp$i, $tp$v) => {
    switch ($tp$i) {
      case 0:
        RING2 = $tp$v;
        break;
      case 1:
        MASK2 = $tp$v;
        break;
      case 2:
        ring2 = $tp$v;
        break;
      case 3:
        make2 = $tp$v;
        break;
      case 4:
        Counter2 = $tp$v;
        break;
      case 5:
        Button2 = $tp$v;
        break;
      case 6:
        patterns2 = $tp$v;
        break;
      case 7:
        sink2 = $tp$v;
        break;
      case 8:
        otherKinds2 = $tp$v;
        break;
      case 9:
        median2 = $tp$v;
        break;
    }
  }, ($tp$j) => {
    switch ($tp$j) {
      case 0:
        return function make3(k) {
          let $tp$e1;
          return $tp.f((x) => x + k, $tp$M[1], $tp$e1 ??= ($tp$i) => {
            switch ($tp$i) {
              case 0:
                return k;
              default:
                return $tp$e02;
            }
          });
        };
      case 2:
        return function capturing2(n2) {
          for (let i = 0; i < n2; i++) ring2[i & MASK2] = make2(i);
        };
      case 3:
        return function captureFree2(n2) {
          for (let i = 0; i < n2; i++) ring2[i & MASK2] = $tp.f((x) => x * 2, $tp$M[4], $tp$e02);
        };
      case 4:
        return (x) => x * 2;
      case 5:
        return function perIterationLet2(n2) {
          for (let i = 0; i < n2; i++) ring2[i & MASK2] = $tp.f((x) => x + i, $tp$M[6], (($tp$i) => {
            switch ($tp$i) {
              case 0:
                return i;
              default:
                return $tp$e02;
            }
          }));
        };
      case 7:
        return function objectMethod2(n2) {
          for (let i = 0; i < n2; i++) {
            ring2[i & MASK2] = $tp.o({
              v: i,
              get(x) {
                return x + this.v;
              }
            }, $tp$M[8], $tp$e02);
          }
        };
      case 8:
        return $tp.om({ get(x) {
          return x + this.v;
        } }, "value");
      case 9:
        return class Counter {
          n;
          constructor(n2) {
            this.n = n2;
          }
          inc() {
            return ++this.n;
          }
        };
      case 10:
        return function classInstance2(n2) {
          for (let i = 0; i < n2; i++) {
            const c2 = new Counter2(i);
            c2.inc();
            ring2[i & MASK2] = c2;
          }
        };
      case 11:
        return class Button {
          label;
          constructor(label) {
            this.label = label;
          }
          onClick = $tp.n((x) => x + this.label, $tp$M[12], $tp$e02);
        };
      case 12:
        return (x) => x + this.label;
      case 13:
        return function classArrowField2(n2) {
          for (let i = 0; i < n2; i++) ring2[i & MASK2] = new Button2(i);
        };
      case 14:
        return function sumFns2() {
          let s = 0;
          for (let j = 0; j < RING2; j++) s = s + ring2[j](j) | 0;
          return s;
        };
      case 15:
        return function sumObjects2() {
          let s = 0;
          for (let j = 0; j < RING2; j++) s = s + ring2[j].get(j) | 0;
          return s;
        };
      case 16:
        return function sumCounters2() {
          let s = 0;
          for (let j = 0; j < RING2; j++) s = s + ring2[j].n | 0;
          return s;
        };
      case 17:
        return function sumButtons2() {
          let s = 0;
          for (let j = 0; j < RING2; j++) s = s + ring2[j].onClick(j) | 0;
          return s;
        };
      case 18:
        return function otherKinds3(i) {
          let $tp$e2;
          sink2.length = 0;
          sink2.push(
            $tp.f(function(x) {
              return x + i;
            }, $tp$M[19], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.f(async (x) => x + i, $tp$M[20], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.f(async function(x) {
              return x + i;
            }, $tp$M[21], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.f(function* (x) {
              yield x + i;
            }, $tp$M[22], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.f(async function* (x) {
              yield x + i;
            }, $tp$M[23], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.o({ m(x) {
              return x + i;
            } }, $tp$M[24], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            }),
            $tp.o({ get g() {
              return i;
            } }, $tp$M[25], $tp$e2 ??= ($tp$i) => {
              switch ($tp$i) {
                case 0:
                  return i;
                default:
                  return $tp$e02;
              }
            })
          );
        };
      case 26:
        return function median3(xs) {
          const s = [...xs].sort($tp.f((a, b) => a - b, $tp$M[27], $tp$e02));
          const m = s.length >> 1;
          return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
        };
      case 27:
        return (a, b) => a - b;
      case 28:
        return function main2(argv) {
          const [name, warmupS, batchesS, sizeS, isolatedS] = argv;
          const p = patterns2[name];
          if (!p) throw new Error(`unknown pattern ${name}; one of ${Object.keys(patterns2).join(", ")}`);
          const warmup = Number(warmupS ?? 5), batches = Number(batchesS ?? 15), size = Number(sizeS ?? 1e6);
          let checksum = 0;
          if (isolatedS !== "1") {
            for (let r = 0; r < 20; r++) {
              otherKinds2(r);
              for (const q of Object.values(patterns2)) {
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
          const out = { pattern: name, unit: p.unit, ns: median2(ns), min: Math.min(...ns), max: Math.max(...ns), batches: ns.length, size, checksum };
          process.stdout.write(JSON.stringify(out) + "\n");
        };
    }
  }, ($tp$n) => {
    switch ($tp$n) {
      case 1:
        return $tp$s1;
      case 2:
        return $tp$s2;
      case 3:
        return $tp$s3;
    }
  }];
  function $tp$s1() {
    let k;
    let $tp$e1 = ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return k;
        default:
          return $tp$e02;
      }
    };
    return [$tp$e1, ($tp$i, $tp$v) => {
      switch ($tp$i) {
        case 0:
          k = $tp$v;
          break;
      }
    }, ($tp$j) => {
      switch ($tp$j) {
        case 1:
          return (x) => x + k;
      }
    }, ($tp$n) => {
      switch ($tp$n) {
      }
    }];
  }
  function $tp$s2() {
    let i;
    let $tp$e2 = ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e02;
      }
    };
    return [$tp$e2, ($tp$i, $tp$v) => {
      switch ($tp$i) {
        case 0:
          i = $tp$v;
          break;
      }
    }, ($tp$j) => {
      switch ($tp$j) {
        case 19:
          return function(x) {
            return x + i;
          };
        case 20:
          return async (x) => x + i;
        case 21:
          return async function(x) {
            return x + i;
          };
        case 22:
          return function* (x) {
            yield x + i;
          };
        case 23:
          return async function* (x) {
            yield x + i;
          };
        case 24:
          return $tp.om({ m(x) {
            return x + i;
          } }, "value");
        case 25:
          return $tp.om({ get g() {
            return i;
          } }, "get");
      }
    }, ($tp$n) => {
      switch ($tp$n) {
      }
    }];
  }
  function $tp$s3() {
    let i;
    let $tp$e3 = ($tp$i) => {
      switch ($tp$i) {
        case 0:
          return i;
        default:
          return $tp$e02;
      }
    };
    return [$tp$e3, ($tp$i, $tp$v) => {
      switch ($tp$i) {
        case 0:
          i = $tp$v;
          break;
      }
    }, ($tp$j) => {
      switch ($tp$j) {
        case 6:
          return (x) => x + i;
      }
    }, ($tp$n) => {
      switch ($tp$n) {
      }
    }];
  }
}
