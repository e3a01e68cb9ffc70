// The reuse policy of sealed shared buffers (runtime/seal-buffers.ts): which buffer a payload
// gets, which one is kept as the spare, when it is dropped, and when a lease gives its buffer back.
import { describe, expect, it } from 'vitest';
import { SealLease, SpareBuffers } from '../runtime/seal-buffers.js';

const KiB = 1024;

describe('SpareBuffers', () => {
  it('reuses the spare for a payload that fits and fills at least half of it; else a fresh buffer of its own size', () => {
    const spares = new SpareBuffers(64 * KiB);
    const a = spares.take(100 * KiB);
    expect(a.byteLength).toBe(100 * KiB);
    expect(spares.spare).toBeUndefined();
    spares.give(a);
    expect(spares.spare).toBe(a);
    expect(spares.take(101 * KiB)).not.toBe(a); // does not fit
    expect(spares.take(49 * KiB)).not.toBe(a); // less than half: fresh, and the spare stays
    expect(spares.spare).toBe(a);
    expect(spares.reused).toBe(0);
    expect(spares.take(50 * KiB)).toBe(a);
    expect(spares.spare).toBeUndefined(); // taken: nobody else gets it while in use
    expect(spares.take(50 * KiB)).not.toBe(a);
    expect(spares.reused).toBe(1);
  });

  it('keeps one spare, the larger, and only buffers of at least `min` bytes', () => {
    const spares = new SpareBuffers(64 * KiB);
    spares.give(new SharedArrayBuffer(63 * KiB));
    expect(spares.spare).toBeUndefined();
    const big = new SharedArrayBuffer(200 * KiB);
    const small = new SharedArrayBuffer(100 * KiB);
    spares.give(small);
    spares.give(big);
    expect(spares.spare).toBe(big);
    spares.give(small);
    expect(spares.spare).toBe(big);
  });

  it('drops the spare when no call took it for idleMs, and for good on clear', async () => {
    const spares = new SpareBuffers(1, 30);
    const a = new SharedArrayBuffer(8);
    spares.give(a);
    await new Promise((r) => setTimeout(r, 10));
    expect(spares.take(8)).toBe(a); // taking and giving back restarts the clock
    spares.give(a);
    await new Promise((r) => setTimeout(r, 60));
    expect(spares.spare).toBeUndefined();
    spares.give(a);
    spares.clear();
    expect(spares.spare).toBeUndefined();
    spares.give(a); // a late buffer after the pool closed
    expect(spares.spare).toBeUndefined();
  });
});

describe('SealLease', () => {
  it('gives its buffer back once the call and every message holding it let go', () => {
    const spares = new SpareBuffers(1);
    const buffer = new SharedArrayBuffer(16);
    const lease = new SealLease(buffer, spares);
    lease.hold(); // a message
    lease.hold(); // another
    lease.release(); // the call stopped early: its messages still run
    lease.release();
    expect(spares.spare).toBeUndefined();
    lease.release(); // the last reply
    expect(spares.spare).toBe(buffer);
  });

  it('never gives back a buffer a message of which ended without a reply (a worker may still read it)', () => {
    const spares = new SpareBuffers(1);
    const buffer = new SharedArrayBuffer(16);
    const lease = new SealLease(buffer, spares);
    lease.hold();
    lease.hold();
    lease.release(false); // aborted, timed out, or its worker died
    lease.release();
    lease.release();
    expect(spares.spare).toBeUndefined();
  });
});
