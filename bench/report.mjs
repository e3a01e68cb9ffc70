// Renders bench/RESULTS.md (Markdown tables) and bench/ratios.svg (a bar chart of every
// Teleport-vs-peer and build-cost ratio against its goal) from bench/results.json.
//
//   npm run bench:report        (bench/run.mjs also calls writeReports after a full run)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

// ---------- formatting ----------
const fmtNs = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x) => (x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
const range = (s) => `${fmtNs(s.min)}–${fmtNs(s.max)}`;
const rrange = (s) => `${fmtRatio(s.min).slice(0, -1)}–${fmtRatio(s.max).slice(0, -1)}`;
/** 3 significant digits, thousands separated */
const num = (x) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en') : Number(x.toPrecision(3)).toString());
const ms = (us) => `${num(us / 1000)} ms`;
const mdEscape = (s) => String(s).replace(/\|/g, '\\|');
const verdict = (c) => (c.pass === undefined ? '' : c.pass ? '**met**' : '**missed**');

// ---------- closure sections (unchanged from the first harness) ----------
function closureSections(results, L) {
  const cc = results.benchmarks.filter((b) => b.group === 'closure-creation');
  if (cc.length) {
    L.push('## closure-creation', '');
    L.push(`Method: every number is the median over ${results.config.runs} fresh Node processes; each process warms up for ${results.config.warmMs} ms, then times ${results.config.batches} batches of about ${results.config.batchMs} ms with \`process.hrtime.bigint()\` and reports its median batch. Everything created is stored into a preallocated ring array that is checksummed (by calling what was created) after each batch, so no allocation can be optimised away. "range" is min–max over the processes; the ratio range is min–max of the per-run ratios (teleport and plain processes of a run are adjacent in time).`, '');
    L.push(`*Program* mode (headline): before timing, each process runs all patterns and creates several other function kinds (async, generator, methods, classes), so the shared \`$tp\` hooks are in the state a real program leaves them in. *Isolated* mode runs the pattern alone, so the hooks only ever see one function shape: a best case, shown for contrast${results.config.modes?.includes('isolated') ? '' : ' (not measured by `--quick`)'}.`, '');
    L.push('bench/src/closures.ts bundled with esbuild (bundle, esm, platform node) without and with the Teleport plugin.', '');
    L.push(`| Pattern | Unit | plain | teleport | ratio (range) | isolated ratio | goal | |`);
    L.push('|---|---|---:|---:|---:|---:|---:|---|');
    for (const b of cc) {
      const iso = b.isolated ? `${fmtRatio(b.isolated.ratio)} (${fmtNs(b.isolated.baseline)} → ${fmtNs(b.isolated.median)})` : '–';
      L.push(`| ${b.pattern} | ${b.unit} | ${fmtNs(b.baseline.median)} (${range(b.baseline.spread)}) | ${fmtNs(b.median)} (${range(b.spread)}) | **${fmtRatio(b.ratio)}** (${rrange(b.ratioSpread)}) | ${iso} | ${b.goal} | ${b.pass ? 'ok' : 'over'} |`);
    }
    L.push('');
    const profiled = cc.filter((b) => b.profile);
    if (profiled.length) {
      L.push('### Where the time goes (teleport build, program mode: self time during the timed batches of one `--cpu-prof` run)', '');
      for (const b of profiled) L.push(`- **${b.name.split('/')[1]}** (${b.profile.file}): ${b.profile.top.slice(0, 4).map((t) => `${t.selfPct}% \`${t.fn}\``).join(', ')}`);
      L.push('');
    }
  }

  const cs = results.benchmarks.filter((b) => b.group === 'closure-strategies');
  if (cs.length) {
    L.push('## closure-strategies', '');
    L.push('Hand-written instrumentation strategies measured while choosing the design (the transform now emits the "no store: fn answers a probe flag" strategy for closures over function scopes and a directive, with no store at all, for module-level functions) (bench/src/strategies.mjs), ns per created closure. *capturing*: `function make(k) { return (x) => x + k }` in a loop (one env reader per scope instance, created lazily as the transform does). *captureFree*: `(x) => x * 2` created per iteration (module env, known statically). Ratios are against the uninstrumented code of the same shape, in the same mode.', '');
    const shapes = [...new Set(cs.map((b) => b.shape))];
    const strategies = [...new Set(cs.map((b) => b.strategy))];
    const head = ['Strategy', ...shapes.flatMap((s) => [`${s} ns (range)`, `${s} ratio`, `${s} isolated`])];
    L.push(`| ${head.join(' | ')} |`);
    L.push(`|---|${shapes.map(() => '---:|---:|---:|').join('')}`);
    for (const st of strategies) {
      const cells = shapes.flatMap((sh) => {
        const b = cs.find((x) => x.shape === sh && x.strategy === st);
        if (!b) return ['–', '–', '–'];
        const plain = b.name.endsWith('/plain');
        return [`${fmtNs(b.median)} (${range(b.spread)})`, plain ? '1.00x' : `**${fmtRatio(b.ratio)}** (${rrange(b.ratioSpread)})`, b.isolated ? (plain ? '1.00x' : fmtRatio(b.isolated.ratio)) : '–'];
      });
      L.push(`| ${st} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }
}

// ---------- workload section ----------
function workloadSection(results, L) {
  const wl = results.benchmarks.filter((b) => b.group === 'workload');
  if (!wl.length) return;
  const c = results.config.workload;
  const ms = (x) => `${fmtNs(x)} ms`;
  L.push('## workload: instrumentation cost on a realistic program', '');
  L.push(`bench/src/interp/: a tokenizer, a recursive-descent parser producing an AST of classes, an evaluator that compiles the AST into a tree of closures (\`(env) => value\`, variables resolved to environment slots, Mini functions as JS closures) running recursion, three sorts and higher-order builtins (map, filter, reduce, sortBy) written in the interpreted language, then a JSON serializer, parser, pretty-printer, visitor and reviver-style rewrite over a 150-record document. One operation parses, compiles and runs the program and does the JSON part; every build must print the same output (digest ${wl[0].digest}). Goal: instrumented / plain <= ${wl[0].goalRatio}x.`, '');
  L.push(`Method (*paired*, headline): one fresh process per run (${results.config.workload ? `${c.runs} runs` : ''}) imports the builds of one toolchain, warms each up for ${c?.warmMs} ms, then alternates their timed batches (${c?.batches} per build, ~${c?.batchMs} ms each, order rotating, a minor GC before each batch), so load from other processes hits them alike; which build warms up first alternates between runs. Per process: median of the per-batch ratios; the table shows the median over processes and (range). *CPU* is the same on the process's CPU time per batch (all threads, not counting time spent waiting for a core). *Separate*: each build alone in its own process, processes adjacent and alternating, median of per-run ratios. *Probes compiled out*: the teleport bundle with every \`if ($tp$p !== void 0) return …\` turned into \`if (false)\` (V8 emits no code for it): everything the transform adds except the per-call probe.`, '');
  L.push('| Toolchain | plain ms/op (range) | instrumented ms/op (range) | ratio (range) | CPU ratio | probes compiled out | separate processes | goal | |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const b of wl) {
    const np = b.noprobe ? `${fmtRatio(b.noprobe.ratio)} (${rrange(b.noprobe.ratioSpread)})` : '–';
    const sep = b.separate ? `${fmtRatio(b.separate.ratio)} (${rrange(b.separate.ratioSpread)})` : '–';
    L.push(`| ${b.label} | ${ms(b.baseline.median)} (${range(b.baseline.spread)}) | ${ms(b.median)} (${range(b.spread)}) | **${fmtRatio(b.ratio)}** (${rrange(b.ratioSpread)}) | ${fmtRatio(b.cpuRatio)} | ${np} | ${sep} | ${b.goal} | ${verdict(b)} |`);
  }
  L.push('');
  const profiled = wl.filter((b) => b.profile);
  if (profiled.length) {
    L.push('### Where the time goes (missed goals: each build once under `--cpu-prof`, self time during the timed batches)', '');
    for (const b of profiled) {
      for (const [v, p] of Object.entries(b.profile)) L.push(`- **${v}** (${p.file}, ${fmtNs(p.msWhileProfiled)} ms/op while profiled): ${p.top.slice(0, 6).map((t) => `${t.pctOfBusy}% \`${t.fn}\``).join(', ')}`);
    }
    L.push('');
  }
}

// ---------- peer sections ----------
function peerSections(results, L) {
  const comparisons = (results.comparisons ?? []).filter((c) => c.group !== 'workload' && c.group !== 'build');
  if (!comparisons.length) return;
  const pairedOf = (id) => {
    const c = comparisons.find((x) => x.id === id);
    return c ? `${fmtRatio(c.ratio)} (${rrange(c.ratioSpread)})` : '–';
  };
  const busyNote = (g) => {
    const during = (results.otherProcessesCpuDuringRuns?.[g] ?? []).filter((x) => x !== null);
    const b = Math.max(results.cpuBusyBeforeGroup?.[g] ?? 0, ...during);
    if (!(b > 0.1)) return '';
    const runs = during.length ? ` Share of the machine's CPU that other processes used during each run: ${during.map((x) => `${Math.round(x * 100)}%`).join(', ')}.` : '';
    return ` *(Other processes were using the machine while this group ran: its numbers are noisier${g === 'cpu' || g === 'capture' ? ', and lower than on an idle machine in the runs where they competed for the cores' : ''}.${runs})*`;
  };
  const by = (g) => results.benchmarks.filter((b) => b.group === g);
  const pc = results.config.peers;
  L.push('## Against peers', '');
  L.push(`Method: each contender runs in a fresh Node process per run (${pc.runs} runs; the contenders of a run are adjacent in time and their order alternates between runs). A process warms up (time-based, so every tier is reached), then times several batches or whole calls and reports its median; the tables show the median over runs and, in parentheses, the min–max over runs. Ratios are medians of the per-run ratios (range in parentheses). Teleport runs bench/src/teleport.ts through the public API (\`Pool\`, \`dumps\`, \`loads\`), bundled by esbuild with the Teleport plugin (bundle, esm, splitting, platform node); the pool peers run bench/src/pools.mjs, each as its documentation shows, with the same number of threads (${results.machine.availableParallelism}, started before timing) and the same per-item code (bench/src/workload.mjs).`, '');

  L.push('| Goal | Teleport | Peer | Ratio (range) | Goal | |', '|---|---:|---:|---:|---:|---|');
  for (const c of comparisons.filter((x) => x.goal)) {
    if (c.value !== undefined) {
      L.push(`| ${mdEscape(c.title)} | ${num(c.value)} ${c.unit} | – | – | ${c.goal} | ${verdict(c)} |`);
      continue;
    }
    const v = (x) => (x.unit === 'x' ? `${num(x.median)}x speedup` : `${num(x.median)} ${x.unit}`);
    L.push(`| ${mdEscape(c.title)} | ${v(c.teleport)} | ${c.peer.unit === 'x' ? `piscina ${v(c.peer)}` : v(c.peer)} | **${fmtRatio(c.ratio)}** (${rrange(c.ratioSpread)}) | ${c.goal} | ${verdict(c)} |`);
  }
  L.push('', '![Teleport / peer ratios](ratios.svg)', '');

  const lat = by('latency');
  if (lat.length) {
    const tpl = lat.find((b) => b.contender === 'teleport');
    L.push('### 1. Task latency', '');
    if (busyNote('latency')) L.push(busyNote('latency').trim(), '');
    L.push(`Sequential calls (\`await\` each before the next), ${pc.latency.batches} batches of ~${pc.latency.batchMs} ms after ${pc.latency.warmMs} ms of warm-up per process. The function returns \`x + 1\`; Teleport sends a closure over a function-scope variable. *CPU* is the process's CPU time (all threads) per call.`, '');
    L.push('| Contender | µs/call (range) | CPU µs/call | Teleport / this (range) |', '|---|---:|---:|---:|');
    for (const b of lat) L.push(`| ${b.label} | ${num(b.median)} (${range(b.spread)}) | ${num(b.cpuUsPerCall)} | ${b === tpl || b.contender === 'teleport-sync' ? '–' : pairedOf(`latency-vs-${b.contender}`)} |`);
    L.push('');
    if (comparisons.some((x) => x.id === 'latency-sync-vs-piscina')) {
      L.push(`The ratios above are Teleport's default (\`atomics: 'disabled'\`: an idle worker waits in its event loop). With \`atomics: 'sync'\` (idle workers block in \`Atomics.wait\`, as piscina's default does), Teleport / piscina is ${pairedOf('latency-sync-vs-piscina')}.`, '');
    }
  }
  const thr = by('throughput');
  if (thr.length) {
    const tpt = thr.find((b) => b.contender === 'teleport');
    L.push('### 2. Map throughput', '');
    if (busyNote('throughput')) L.push(busyNote('throughput').trim(), '');
    L.push(`Trivial items (\`x * 2\`, \`x + 1\`), wall time of the whole call including sending the items and collecting the results in order. The peers, one task per item, are measured on fewer items (their per-item cost is flat, and ${pc.throughput.n.toLocaleString('en')} tasks would take minutes).`, '');
    L.push('| Contender | items/s (range) | µs/item | Teleport / this (range) |', '|---|---:|---:|---:|');
    for (const b of thr) L.push(`| ${b.label}${b.messagesPerCall ? ` (${num(b.messagesPerCall)} messages per call)` : ''} | ${num(b.median)} (${num(b.spread.min)}–${num(b.spread.max)}) | ${num(b.usPerItem)} | ${b === tpt ? '–' : pairedOf(`throughput-vs-${b.contender}`)} |`);
    L.push('');
  }
  const cpu = by('cpu');
  if (cpu.length) {
    const serial = cpu.find((b) => b.contender === 'serial');
    L.push('### 3. CPU-bound speedup', '');
    if (busyNote('cpu')) L.push(busyNote('cpu').trim(), '');
    L.push(`${serial.label}: ${num(serial.median)} ms (${range(serial.spread)}). Speedup = serial time / pool time, in the same process: serial runs and every pool size take turns (pools started and warmed before timing).`, '');
    L.push('| Workers | Teleport speedup (range) | Teleport speedup / workers | piscina speedup (range) |', '|---:|---:|---:|---:|');
    for (const b of cpu.filter((x) => x.contender === 'teleport')) {
      const p = cpu.find((x) => x.contender === 'piscina' && x.workers === b.workers);
      L.push(`| ${b.workers} | ${b.median.toFixed(2)} (${b.spread.min.toFixed(2)}–${b.spread.max.toFixed(2)}) | ${(b.median / b.workers).toFixed(2)} | ${p ? `${p.median.toFixed(2)} (${p.spread.min.toFixed(2)}–${p.spread.max.toFixed(2)})` : '–'} |`);
    }
    L.push('');
  }
  const cap = by('capture');
  if (cap.length) {
    const c = comparisons.find((x) => x.group === 'capture');
    L.push('### 4. Large capture', '');
    if (busyNote('capture')) L.push(busyNote('capture').trim(), '');
    L.push('One `pool.map` call per measurement; both pools are started and warmed before timing, and the two variants alternate within each process.', '');
    L.push('| Variant | ms/call (range) |', '|---|---:|');
    for (const b of cap) L.push(`| ${b.label}${b.bytesPostedPerCall ? ` (${num(b.bytesPostedPerCall / 2 ** 20)} MiB posted per call)` : ''} | ${num(b.median)} (${range(b.spread)}) |`);
    L.push('', `Ratio captured / preloaded: **${fmtRatio(c.ratio)}** (${rrange(c.ratioSpread)}); ${c.note}.`, '');
  }
  const pk = by('pickle');
  if (pk.length) {
    L.push('### 5. Pickle speed', '');
    if (busyNote('pickle')) L.push(busyNote('pickle').trim(), '');
    L.push(`In one process per run: each serializer first round-trips the value once and is measured only if the copy is faithful (same data, classes, working closures, shared references and cycles); then \`dumps\` and \`loads\` (or the one \`structuredClone\` call) are timed separately: each warms up for ${pc.pickle.warmMs} ms, then the serializers take turns, ${pc.pickle.batches} batches of ~${pc.pickle.batchMs} ms each (so a burst of load from elsewhere hits all of them alike), with a minor GC before each batch so that none pays for the young garbage of the one before it. serialize-javascript is read back with \`eval('(' + s + ')')\` as its README shows; seroval with its \`deserialize\`.`, '');
    for (const g of [...new Set(pk.map((b) => b.graph))]) {
      const rows = pk.filter((b) => b.graph === g);
      const t = rows.find((b) => b.contender === 'teleport' && !b.na);
      L.push(`**${g}**: ${rows[0].describe}`, '');
      L.push('| Serializer | dumps (range) | loads (range) | dumps+loads | bytes | Teleport / this: dumps, loads, both (median of per-run ratios) |', '|---|---:|---:|---:|---:|---:|');
      for (const b of rows) {
        if (b.na) {
          L.push(`| ${b.contender} | n/a: ${mdEscape(b.na)} | | | | |`);
          continue;
        }
        const rt = ms(b.median);
        const r = (part) => {
          const c = comparisons.find((x) => x.id === `pickle-${g}-${b.contender}-${part}`);
          return c ? fmtRatio(c.ratio) : '–';
        };
        const ratios = !t || b === t ? '–' : b.dumps && t.dumps ? `${r('dumps')}, ${r('loads')}, ${r('roundTrip')}` : r('roundTrip');
        if (b.dumps) L.push(`| ${b.contender} | ${ms(b.dumps.median)} (${num(b.dumps.spread.min / 1000)}–${num(b.dumps.spread.max / 1000)}) | ${ms(b.loads.median)} (${num(b.loads.spread.min / 1000)}–${num(b.loads.spread.max / 1000)}) | ${rt} | ${num(b.bytes)} | ${ratios} |`);
        else L.push(`| ${b.contender} | – | – | ${rt} (one call) | – | ${ratios} |`);
      }
      L.push('');
    }
  }
  const profiles = (results.profiles ?? []).filter((p) => !p.key.startsWith('build-'));
  if (profiles.length) {
    L.push('### Where the time goes (missed goals)', '');
    L.push('The Teleport side of each missed goal, run once more under `--cpu-prof` (every thread; 200 µs sampling); self time during the timed part, split by what the code belongs to, then the top functions. "busy" is the share of the timed window the thread was not idle. V8 counts code it inlined as the self time of the function it was inlined into: in the workers, \`handle\` (runtime/worker-core) includes the mapped function and the workload it calls in its item loop.', '');
    for (const p of profiles) {
      L.push(`- **${p.key}** (for ${p.for.join(', ')}; ${p.whileProfiled} while profiled)`);
      for (const th of p.threads) {
        L.push(`  - ${th.thread}, ${th.busyPct}% busy: ${th.categories.slice(0, 5).map((c) => `${c.pctOfBusy}% ${c.category}`).join(', ')}. Top: ${th.top.slice(0, 4).map((f) => `${f.pctOfBusy}% \`${f.fn}\``).join(', ')}`);
      }
    }
    L.push('');
  }
}

// ---------- build cost ----------
function buildSection(results, L) {
  const rows = results.benchmarks.filter((b) => b.group === 'build');
  if (!rows.length) return;
  const comparisons = (results.comparisons ?? []).filter((c) => c.group === 'build');
  const cb = results.buildCodebase;
  const cfg = results.config.build;
  L.push('## Build cost', '');
  L.push(`Method (bench/build.mjs): a TypeScript codebase generated at run time by bench/src/gen-codebase.mjs (${cb.modules} modules, ${cb.lines.toLocaleString('en')} lines, ${num(cb.bytes / 2 ** 20)} MiB; enums, interfaces, generic classes with fields, #private fields, accessors, async and generator methods, subclasses of imported classes, closures, arrow callbacks, async functions; every module imports up to four others) is built ${rows.length} ways, each build a fresh process timed from spawn to exit (node start, loading the compiler and the plugin, the build, writing the output; esbuild and tsc both write source maps). ${cfg.warmup ? `After ${cfg.warmup} untimed warm-up round, ` : ''}${cfg.runs} runs build every variant back to back, in an order that alternates between runs; the table shows the median and, in parentheses, the min–max over runs; ratios are medians of the per-run ratios. Every build's output is run: all compute the same checksum (${cb.checksum}), and the instrumented builds send a generated closure through \`dumps\`/\`loads\` (${cb.functions.toLocaleString('en')} functions instrumented).${busyNoteOf(results, 'build')}`, '');
  L.push('| Build | ms (range) |', '|---|---:|');
  for (const b of rows) L.push(`| ${b.label} | ${num(b.median)} (${num(b.spread.min)}–${num(b.spread.max)}) |`);
  L.push('');
  L.push('| Ratio | median (range) | Goal | |', '|---|---:|---:|---|');
  for (const c of comparisons) L.push(`| ${mdEscape(c.title.replace(/^build: /, ''))} | **${fmtRatio(c.ratio)}** (${rrange(c.ratioSpread)}) | ${c.goal ?? '–'} | ${verdict(c)} |`);
  L.push('');
  const profiles = (results.profiles ?? []).filter((p) => p.key.startsWith('build-'));
  if (profiles.length) {
    L.push('Where the time goes in the instrumented builds (one run under `--cpu-prof`, 500 µs sampling; self time by category, the top functions by self time, and the inclusive time of the main phases):', '');
    for (const p of profiles) {
      for (const th of p.threads) {
        L.push(`- **${p.key.slice(6)}** (${p.whileProfiled} while profiled), ${th.thread}: ${th.categories.slice(0, 7).map((c) => `${c.pctOfBusy}% ${c.category}`).join(', ')}. Top: ${th.top.slice(0, 5).map((f) => `${f.pctOfBusy}% \`${f.fn}\``).join(', ')}`);
        if (th.phases?.length) L.push(`  - inclusive time by phase (share of the whole process): ${th.phases.map((x) => `${x.phase} ${x.pct}% (${num(x.ms)} ms)`).join('; ')}`);
      }
    }
    L.push('');
  }
}

/** A note when other processes used the machine while a group ran. */
function busyNoteOf(results, g) {
  const during = (results.otherProcessesCpuDuringRuns?.[g] ?? []).filter((x) => x !== null);
  if (!during.length || !(Math.max(...during) > 0.1)) return '';
  return ` *(Other processes were using the machine while this group ran, ${during.map((x) => `${Math.round(x * 100)}%`).join(', ')} of its CPU during the runs: absolute times are inflated; the interleaved ratios much less so.)*`;
}

export function renderMarkdown(results) {
  const m = results.machine;
  const L = [];
  L.push('# Benchmark results', '');
  L.push(`Generated by \`npm run bench${results.quick ? ' -- --quick' : ''}\` (bench/run.mjs) on ${results.generated.slice(0, 10)}; rendered from bench/results.json by bench/report.mjs.`, '');
  L.push(`Machine: ${m.cores} cores (availableParallelism ${m.availableParallelism}), ${m.cpu}, Node ${m.node} (V8 ${m.v8}), ${m.platform}, ${m.memoryGB} GB, load average at start ${m.loadavgAtStart.join(' ')}${m.loadavgAtEnd ? `, at end ${m.loadavgAtEnd.join(' ')}` : ''}${m.cpuBusyAtStart == null ? '' : `; CPU busy (other processes) ${Math.round(m.cpuBusyAtStart * 100)}% before the run, ${Math.round((m.cpuBusyAtEnd ?? 0) * 100)}% after`}.`, '');
  for (const r of results.remeasured ?? []) L.push(`Re-measured later with \`--groups ${r.groups.join(',')} --merge\` on ${r.generated.slice(0, 16).replace('T', ' ')} UTC: ${r.groups.join(', ')} (load average then ${r.machine.loadavgAtStart.join(' ')}).`, '');
  const busy = Math.max(m.cpuBusyAtStart ?? 0, m.cpuBusyAtEnd ?? 0);
  if (busy > 0.2) L.push(`> Other processes were using the machine around this run (CPU ${Math.round((m.cpuBusyAtStart ?? 0) * 100)}% busy in the second before it, ${Math.round((m.cpuBusyAtEnd ?? 0) * 100)}% in the second after it, with none of ours running): timings are noisier, and results that need idle cores (the CPU-bound speedup, the large capture) come out lower than on an idle machine.`, '');
  peerSections(results, L);
  workloadSection(results, L);
  buildSection(results, L);
  closureSections(results, L);
  L.push(`Raw numbers: bench/results.json. Total harness time ${Math.round(results.seconds)} s.`, '');
  return L.join('\n');
}

// ---------- SVG bar chart ----------
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of every ratio on a log axis, from 1x; the goal as a tick; green met, red missed, grey no goal. */
export function renderSvg(results) {
  const rows = (results.comparisons ?? []).filter((c) => c.ratio !== undefined);
  const W = 980, labelW = 470, rowH = 22, top = 58, bottom = 40, plotW = W - labelW - 90;
  const H = top + rows.length * rowH + bottom;
  const values = rows.flatMap((c) => [c.ratio, c.ratioSpread?.min, c.ratioSpread?.max, c.goalValue]).filter((x) => x > 0);
  const lo = Math.min(-1, Math.floor(Math.log10(Math.min(...values, 1)) - 0.05));
  const hi = Math.max(1, Math.ceil(Math.log10(Math.max(...values, 1)) + 0.05));
  const x = (v) => labelW + ((Math.log10(v) - lo) / (hi - lo)) * plotW;
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const m = results.machine;
  o.push(`<text x="12" y="20" font-size="14" font-weight="600">Teleport / peer, instrumented / plain and build-cost ratios (log scale; bar from 1x to the median, whisker = min–max over runs)</text>`);
  o.push(`<text x="12" y="38" fill="#555">${esc(`${m.cores} cores, ${m.cpu}, Node ${m.node}; ${results.quick ? 'npm run bench -- --quick' : 'npm run bench'}, ${results.generated.slice(0, 10)}. Green: goal met, red: missed, grey: no goal. ▏= goal`)}</text>`);
  for (let e = lo; e <= hi; e++) {
    for (const mant of e < hi ? [1, 2, 5] : [1]) {
      const v = mant * 10 ** e;
      const gx = x(v).toFixed(1);
      o.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="${mant === 1 ? '#bbb' : '#eee'}"/>`);
      if (mant === 1 || hi - lo <= 3) o.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${v >= 1 ? v : v.toPrecision(1)}x</text>`);
    }
  }
  const x1 = x(1).toFixed(1);
  o.push(`<line x1="${x1}" y1="${top - 6}" x2="${x1}" y2="${top + rows.length * rowH}" stroke="#333"/>`);
  rows.forEach((c, i) => {
    const y = top + i * rowH;
    const color = c.pass === undefined ? '#9aa0a6' : c.pass ? '#2e9e4f' : '#d93025';
    const better = c.goalOp === '>=' || /higher is better/.test(c.metric) ? '↑' : '↓';
    o.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(c.title)} <tspan fill="#888">${better}</tspan></text>`);
    const a = x(Math.min(1, c.ratio)), b = x(Math.max(1, c.ratio));
    o.push(`<rect x="${a.toFixed(1)}" y="${y + 4}" width="${Math.max(1, b - a).toFixed(1)}" height="${rowH - 8}" fill="${color}" opacity="0.85"/>`);
    if (c.ratioSpread) o.push(`<line x1="${x(c.ratioSpread.min).toFixed(1)}" y1="${y + rowH / 2}" x2="${x(c.ratioSpread.max).toFixed(1)}" y2="${y + rowH / 2}" stroke="#222" stroke-width="1.2"/>`);
    if (c.goalValue !== undefined) {
      const gx = x(c.goalValue).toFixed(1);
      o.push(`<line x1="${gx}" y1="${y + 1}" x2="${gx}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2.5"/>`);
    }
    const tx = Math.max(b, c.ratioSpread ? x(c.ratioSpread.max) : b) + 6;
    o.push(`<text x="${tx.toFixed(1)}" y="${y + 15}" fill="#222">${esc(fmtRatio(c.ratio))}${c.goal ? ` <tspan fill="#777">(goal ${esc(c.goal.replace(/ \(.*/, ''))})</tspan>` : ''}</text>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}

export function writeReports(results) {
  fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), renderMarkdown(results));
  fs.writeFileSync(path.join(benchDir, 'ratios.svg'), renderSvg(results));
}

/** The console summary at the end of a run. */
export function printSummary(results) {
  const cc = results.benchmarks.filter((b) => b.baseline && b.group !== 'workload');
  if (cc.length) {
    console.log('\nclosures (median ns, plain -> instrumented/strategy, ratio [per-run range]):');
    for (const b of cc) {
      const iso = b.isolated ? `  isolated ${fmtRatio(b.isolated.ratio)}` : '';
      console.log(`  ${b.name.padEnd(44)} ${fmtNs(b.baseline.median).padStart(6)} -> ${fmtNs(b.median).padStart(6)} ${b.unit.padEnd(12)} ${fmtRatio(b.ratio).padStart(7)} [${rrange(b.ratioSpread)}]${iso}  ${b.group === 'closure-creation' ? (b.pass ? 'ok' : `over ${b.goal}`) : ''}`);
    }
  }
  const wl = results.benchmarks.filter((b) => b.group === 'workload');
  if (wl.length) {
    console.log('\nworkload (median ms per operation, plain -> instrumented, ratio [per-run range]; paired processes):');
    for (const b of wl) {
      const extra = [`cpu ${fmtRatio(b.cpuRatio)}`, b.noprobe && `probes compiled out ${fmtRatio(b.noprobe.ratio)}`, b.separate && `separate processes ${fmtRatio(b.separate.ratio)}`].filter(Boolean).join(', ');
      console.log(`  ${b.name.padEnd(20)} ${fmtNs(b.baseline.median).padStart(6)} -> ${fmtNs(b.median).padStart(6)} ms/op ${fmtRatio(b.ratio).padStart(7)} [${rrange(b.ratioSpread)}]  (${extra})  ${b.pass ? 'ok' : `over ${b.goal}`}`);
    }
  }
  const comps = (results.comparisons ?? []).filter((c) => c.group !== 'workload');
  if (comps.length) {
    console.log('\nagainst peers (ratio = Teleport / peer, median of per-run ratios [range]):');
    for (const c of comps) {
      const v = c.value !== undefined ? `${num(c.value)} ${c.unit}` : `${fmtRatio(c.ratio)} [${rrange(c.ratioSpread)}]`;
      console.log(`  ${c.title.padEnd(64)} ${v.padStart(20)}  ${c.goal ? `goal ${c.goal}: ${c.pass ? 'met' : 'MISSED'}` : ''}`);
    }
  }
}

// `node bench/report.mjs`: render from bench/results.json
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(fs.readFileSync(path.join(benchDir, 'results.json'), 'utf8'));
  writeReports(results);
  console.log('wrote bench/RESULTS.md and bench/ratios.svg from bench/results.json');
}
