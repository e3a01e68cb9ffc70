// The task protocol's payload forms: Packets frozen to bytes, and sealed function payloads whose
// large typed arrays travel out of band (plain data here: functions need the transform, and the
// executor tests send those through real workers).
import { describe, expect, it } from 'vitest';
import { pack, unpackSync } from '../runtime/pickle.js';
import { parseTemplate } from '../runtime/call-shape.js';
import { CALL, FORMAT_VERSION, type CallPacket } from '../runtime/packet.js';
import { decodeNow, freeze, seal, share, unsealNow } from '../runtime/protocol.js';
import { FormatError, UnknownModuleError, UnserializableError, VersionSkewError, WorkerError } from '../runtime/errors.js';
import { UnknownBuiltinError } from '../runtime/builtins.js';

/** same type and bytes (vitest's deep equality is slow on megabytes) */
const same = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.constructor === b.constructor && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

const now = (got: { value: unknown } | Promise<{ value: unknown }>): unknown => {
  if (got instanceof Promise) throw new Error('expected a synchronous revive');
  return got.value;
};

describe('payloads', () => {
  it('a Packet frozen to bytes is a snapshot', () => {
    const value = { list: [1, 2, 3], when: new Date(0) };
    const bytes = freeze(pack(value));
    value.list.push(4);
    expect(now(decodeNow(bytes))).toEqual({ list: [1, 2, 3], when: new Date(0) });
  });

  it('seal keeps large typed arrays out of the serialized head and gives back private copies', () => {
    const big = new Float64Array(200_000).map((_, i) => i * 0.5); // 1.6 MB: out of band
    const small = new Int16Array([1, -2, 3]); // stays in the head
    const view = new Uint8Array(big.buffer, 8, 1 << 20); // a view at an offset: its own bytes only
    const value = { big, again: big, small, view, dv: new DataView(new ArrayBuffer(1 << 20)) };
    value.dv.setInt32(4, 1234);
    for (const shared of [false, true]) {
      const bytes = seal(value, 'test', shared);
      expect(bytes.buffer instanceof SharedArrayBuffer).toBe(shared);
      expect(bytes.byteLength).toBeGreaterThan(big.byteLength + view.byteLength + (1 << 20));
      const out = now(unsealNow(bytes)) as typeof value;
      expect(same(out.big, big)).toBe(true);
      expect(out.again).toBe(out.big); // identity among captures is kept
      expect(out.small).toEqual(small);
      expect(same(out.view, view)).toBe(true);
      expect(out.dv.getInt32(4)).toBe(1234);
      expect(out.big.buffer).not.toBe(bytes.buffer); // private memory, not a view into the payload
      expect(out.big.buffer instanceof SharedArrayBuffer).toBe(false);
      out.big[0] = 99;
      expect((now(unsealNow(bytes)) as typeof value).big[0]).toBe(0);
    }
  });

  it('share hands over sealed shared memory as it is', () => {
    const bytes = seal({ a: 1 }, 'test', true);
    expect(share(bytes)).toBe(bytes);
    const plain = seal({ a: 1 }, 'test', false);
    const shared = share(plain);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.byteLength).toBe(plain.byteLength);
    expect(now(unsealNow(shared))).toEqual({ a: 1 });
  });

  it('sealing into a reused buffer full of old bytes gives the same bytes as a fresh one, of exactly the payload\'s length', () => {
    const big = new Float64Array(150_000).map((_, i) => i + 0.25); // 1.2 MB: out of band
    const odd = new Uint8Array((1 << 20) + 3).fill(5); // a length that needs padding after it
    const value = { odd, big, s: 'x'.repeat(13), small: new Int16Array([7, 8, 9]) };
    const fresh = seal(value, 'test', true);
    const dirty = new SharedArrayBuffer(fresh.byteLength + 4096);
    new Uint8Array(dirty).fill(0xab);
    const reused = seal(value, 'test', (size) => {
      expect(size).toBe(fresh.byteLength);
      return dirty;
    });
    expect(reused.buffer).toBe(dirty);
    expect(reused.byteOffset).toBe(0);
    expect(reused.byteLength).toBe(fresh.byteLength);
    expect(Buffer.compare(Buffer.from(reused), Buffer.from(fresh))).toBe(0); // padding zeroed, nothing old inside
    const out = now(unsealNow(reused)) as typeof value;
    expect(same(out.big, big) && same(out.odd, odd)).toBe(true);
    expect(out.s).toBe(value.s);
    expect(out.small).toEqual(value.small);
    expect(() => seal(value, 'test', () => new SharedArrayBuffer(16))).toThrow(/too small/);
  });

  it('unsealing never reads past the payload: truncated bytes and out-of-range entries fail with a FormatError', () => {
    const bytes = seal({ big: new Uint8Array(1 << 20).fill(3) }, 'test', true);
    // cut inside the out-of-band data (a clamped read would revive a shorter array)
    expect(() => now(unsealNow(bytes.subarray(0, bytes.byteLength - 8)))).toThrow(FormatError);
    // cut inside the head
    expect(() => unsealNow(bytes.subarray(0, 40))).toThrow(FormatError);
    expect(() => unsealNow(bytes.subarray(0, 40))).toThrow('sealed payload: truncated');
    const bad = new Uint8Array(bytes); // a private copy to corrupt: offset of entry 0 pointing into the head
    new DataView(bad.buffer).setFloat64(12, 16);
    expect(() => now(unsealNow(bad))).toThrow(/outside the payload/);
    new DataView(bad.buffer).setFloat64(12, 0.5);
    expect(() => now(unsealNow(bad))).toThrow(/outside the payload/);
  });

  it('bytes that are not a sealed payload fail with a FormatError', () => {
    expect(() => unsealNow(new Uint8Array(4))).toThrow(FormatError);
    expect(() => unsealNow(freeze(pack({ a: 1 })))).toThrow(FormatError);
  });

  it('short call packets: a malformed template or another format version fails with a FormatError saying so', () => {
    const good = JSON.stringify(['m', 0, 'h', 'f', [1, 0], [[0, 2]]]);
    expect(parseTemplate(good)).toMatchObject({ m: 'm', j: 0, scopes: [1, 0], count: 1 });
    for (const bad of ['not json', JSON.stringify(['m', 0, 'h', 'f', [1], []]), JSON.stringify(['m', 0, 'h', 'f', [0], [[1, 0]]])]) {
      expect(() => parseTemplate(bad)).toThrow(new FormatError('malformed call template in a Teleport payload'));
    }
    const old = [CALL, FORMAT_VERSION + 1, 'build', 'file:///x.js', good] as unknown as CallPacket;
    expect(() => unpackSync(old)).toThrow(new FormatError(`Teleport payload has format version ${FORMAT_VERSION + 1}; this runtime reads version ${FORMAT_VERSION}`));
    expect(() => unpackSync([CALL, FORMAT_VERSION, 'build', 7, good] as unknown as CallPacket)).toThrow(new FormatError('not a Teleport payload'));
  });
});

describe("Teleport's own errors", () => {
  it('come back as their class, with message, stack and fields (a FormatError from a worker is a FormatError)', () => {
    const sent = [
      new FormatError('bad bytes'),
      new VersionSkewError('other build', 'aaa', 'bbb'),
      new UnknownModuleError('no module'),
      new UnserializableError('cannot send x', ['x', '.y']),
      new WorkerError('worker died', { cause: new RangeError('oom') }),
      new UnknownBuiltinError('Math.nope'),
    ];
    const got = unpackSync(pack(sent)) as Error[];
    got.forEach((e, i) => {
      const s = sent[i];
      expect(e).toBeInstanceOf(s.constructor);
      expect(e.name).toBe(s.name);
      expect(e.message).toBe(s.message);
      expect(e.stack).toBe(s.stack);
    });
    expect((got[1] as VersionSkewError).senderBuild).toBe('aaa');
    expect((got[1] as VersionSkewError).receiverBuild).toBe('bbb');
    expect((got[3] as UnserializableError).path).toEqual(['x', '.y']);
    expect(got[3]).toBeInstanceOf(TypeError);
    expect((got[4] as Error).cause).toBeInstanceOf(RangeError);
    // a user's error class named like one of ours is not mistaken for it
    class FakeFormatError extends Error { override name = 'FormatError'; }
    const fake = unpackSync(pack(new FakeFormatError('mine'))) as Error;
    expect(fake).not.toBeInstanceOf(FormatError);
  });
});
