// The receiver's checks on a short call packet (runtime/pickle.ts reviveCall, reached through the
// worker-side decoder and worker core): a module compiled by the real transform is loaded in this
// process, one of its closures is packed the short way, and the packet is then broken the way each
// message describes. Each failure is a Teleport error of its class, with its message, and a worker
// replies with it (it does not throw).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { transformModule } from '../transformer/core/index.js';
import { packCall, unpackSync } from '../runtime/pickle.js';
import { decodeNow } from '../runtime/protocol.js';
import { createWorkerCore } from '../runtime/worker-core.js';
import { CALL, type CallPacket } from '../runtime/packet.js';
import { FormatError, UnknownModuleError, VersionSkewError } from '../runtime/errors.js';

const repo = path.resolve(import.meta.dirname, '..');
const dir = path.join(repo, 'test/.tmp/call-packet');
const SOURCE = 'export const scale = (k: number) => (x: number): number => x * k;\n';

let scale: (k: number) => (x: number) => number;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'scale.ts');
  // (the runtime this test imports, its source: the module must register in the same registry)
  const out = transformModule(SOURCE, file, { root: repo, hooksModule: path.join(repo, 'runtime/hooks.ts') });
  writeFileSync(path.join(dir, 'scale.ts'), out.code);
  ({ scale } = await import(pathToFileURL(path.join(dir, 'scale.ts')).href));
});

/** A short call packet of scale(3) with the argument 2: [CALL, version, build, url, template, k, x]. */
function packet(): CallPacket {
  const p = packCall(scale(3), [2]);
  expect(Array.isArray(p)).toBe(true);
  return [...(p as CallPacket)] as CallPacket;
}

describe('short call packets: what the receiver rejects', () => {
  it('an intact packet revives to the closure and its arguments', () => {
    const p = packet();
    expect(p[0]).toBe(CALL);
    expect(p.slice(5)).toEqual([3, 2]);
    const [fn, args] = unpackSync(p) as [(...a: unknown[]) => unknown, unknown[]];
    expect(fn(...args)).toBe(6);
  });

  it('fewer captured values than the template has: a FormatError', () => {
    const p = packet().slice(0, 5) as CallPacket; // (k and the argument cut off)
    expect(() => unpackSync(p)).toThrow(new FormatError('call payload: fewer captured values than its template has'));
  });

  it('a module URL this thread has not loaded: an UnknownModuleError', () => {
    const p = packet();
    p[3] = pathToFileURL(path.join(dir, 'elsewhere.mjs')).href;
    expect(() => unpackSync(p)).toThrow(new UnknownModuleError(`payload needs module ${p[3]}, which is not loaded in this thread (import it first, or use a Pool)`));
  });

  it('a module ID this process has not loaded (its URL loaded): an UnknownModuleError naming both builds', () => {
    const p = packet();
    const t = JSON.parse(p[4]) as unknown[];
    t[0] = 'NOSUCHMODULE';
    p[4] = JSON.stringify(t);
    p[2] = 'senderbuild';
    expect(() => unpackSync(p)).toThrow(UnknownModuleError);
    expect(() => unpackSync(p)).toThrow(/^payload refers to module NOSUCHMODULE, which this process has not loaded \(sender build senderbuild, receiver build [0-9a-f]{16}\)$/);
  });

  it('a unit whose code differs in this build: a VersionSkewError', () => {
    const p = packet();
    const t = JSON.parse(p[4]) as unknown[];
    t[2] = 'otherhash';
    p[4] = JSON.stringify(t);
    expect(() => unpackSync(p)).toThrow(VersionSkewError);
    expect(() => unpackSync(p)).toThrow(/^payload from build [0-9a-f]{16} refers to 'scale\/=>' in test\/\.tmp\/call-packet\/scale\.ts, whose code differs in this build/);
  });

  it('a module URL that is not a file is not imported', async () => {
    const p = packet();
    p[3] = 'data:text/javascript,export%20default%201';
    const got = decodeNow(p);
    expect(got).toBeInstanceOf(Promise);
    await expect(got).rejects.toThrow(new UnknownModuleError(`refusing to import non-file module URL ${p[3]}`));
  });

  it('a worker replies with the error, as its class', async () => {
    const handle = createWorkerCore({});
    const reply = await handle({ mode: 'call', payload: packet().slice(0, 5) as CallPacket, start: 0 });
    expect(reply).toMatchObject({ ok: false });
    const error = unpackSync((reply as { payload: CallPacket }).payload);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe('call payload: fewer captured values than its template has');
    // and the same worker still runs an intact packet
    expect(await handle({ mode: 'call', payload: packet(), start: 0 })).toEqual([6]);
  });
});
