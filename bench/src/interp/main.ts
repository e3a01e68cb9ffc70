// The "workload" benchmark program (issue 4, benchmark 6: instrumentation cost on a realistic
// program). One operation = parse, compile and run a Mini program (bench/src/interp/programs.ts)
// through a closure-compiling interpreter, then serialize, parse, pretty-print, visit and rewrite
// a 150-record JSON document. bench/workload.mjs builds this program with and without the
// transform (esbuild with/without the plugin, tsc/tspc) and runs each build in fresh processes:
//
//   node <build>/interp/main.js <warmMs> <batches> <batchMs>
//
// and reads one JSON line: { ms: median ms per operation over the timed batches, digest: a hash
// of the operation's output (equal across builds), instrumented, ... }; or imports two builds
// into one process and alternates their batches (bench/src/interp/pair.mjs).
import { pathToFileURL } from 'node:url';
import { reply, timeOps } from '../measure.mjs';
import { runtimeGlobals } from './builtins.js';
import { Parser } from './parser.js';
import { compileProgram, show } from './evaluate.js';
import { type Json, mapJson, parseJson, stringify, visit } from './json.js';
import { makeDocument, miniProgram } from './programs.js';

const SOURCE = miniProgram(160, 16);
const DOC = makeDocument(150, 42);

function runMini(): string[] {
  const out: string[] = [];
  const run = compileProgram(Parser.parse(SOURCE), runtimeGlobals(out, 7));
  out.push(show(run()));
  return out;
}

function runJson(): string[] {
  const text = stringify(DOC);
  const doc = parseJson(text);
  const pretty = stringify(doc, 2);
  let leaves = 0, sum = 0, deepest = 0;
  const keyCounts = new Map<string, number>();
  visit(parseJson(pretty), {
    leaf(v) {
      leaves++;
      if (typeof v === 'number') sum += v;
    },
    enter(c, path) {
      deepest = Math.max(deepest, path.length);
      if (!Array.isArray(c)) for (const k of Object.keys(c)) keyCounts.set(k, (keyCounts.get(k) ?? 0) + 1);
    },
  });
  const repriced = mapJson(doc, (k, v) => (k === 'price' && typeof v === 'number' ? Math.round(v * 120) / 100 : k === 'tags' && Array.isArray(v) ? v.length : v));
  return [`json ${text.length} ${pretty.length} leaves=${leaves} sum=${sum.toFixed(2)} depth=${deepest}`, [...keyCounts].map(([k, n]) => `${k}:${n}`).join(','), stringify(repriced).slice(-200)];
}

/** FNV-1a of the text, hex */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** one operation of the workload: its whole output */
export const operation = (): string => [...runMini(), ...runJson()].join('\n');

/** Checks the JSON code against the platform's and that operations are deterministic; the output's digest. */
export function prepare(): { digest: string; sample: string[]; instrumented: boolean; check: (output: string) => void } {
  const text = stringify(DOC);
  if (text !== JSON.stringify(DOC) || stringify(DOC, 2) !== JSON.stringify(DOC, null, 2) || stringify(parseJson(text) as Json) !== text) throw new Error('workload: JSON serializer/parser disagrees with JSON.stringify');
  const output = operation();
  const check = (o: string) => {
    if (o !== output) throw new Error('workload: output differs between operations');
  };
  check(operation());
  // instrumented builds mark module-level functions with a "tp:<id>" directive
  const instrumented = /\{\s*"tp:/.test(Function.prototype.toString.call(compileProgram));
  return { digest: digest(output), sample: output.split('\n').slice(0, 6), instrumented, check };
}

async function main(argv: string[]): Promise<void> {
  const [warmMs = 300, batches = 11, batchMs = 40] = argv.map(Number);
  const { digest, sample, instrumented, check } = prepare();
  const t = await timeOps(() => check(operation()), { warmMs, batches, batchMs, sync: true });
  reply({ ms: t.us / 1000, cpuMs: t.cpuUs / 1000, batchesMs: t.batches.map((us) => us / 1000), batchSize: t.batchSize, digest, sample, instrumented, window: t.window });
}

// run as a program (bench/src/interp/pair.mjs imports the builds instead)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
