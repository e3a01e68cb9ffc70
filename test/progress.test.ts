// Tests for runtime/progress.ts: a fake stream (TTY or not, any width) and an injected clock check
// the bar's formatting, throttling, the non-TTY line cadence, unknown totals and stream failures.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar, type ProgressBarOptions } from '../runtime/progress.js';

const CLEAR = '\r\x1b[2K';

interface Fake {
  writes: string[];
  isTTY: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

function fakeStream(isTTY: boolean, columns?: number): Fake {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    columns,
    write(chunk: string) {
      writes.push(chunk);
      return true;
    },
  };
}

/** a bar on a fake stream whose clock reads `clock.t` (ms) */
function setup(isTTY: boolean, options: Omit<ProgressBarOptions, 'stream' | 'clock'> = {}, columns?: number) {
  const stream = fakeStream(isTTY, columns);
  const clock = { t: 0 };
  const bar = progressBar({
    ...options,
    stream: stream as unknown as NodeJS.WritableStream,
    clock: () => clock.t,
  });
  const output = () => stream.writes.join('');
  /** TTY: the text of every redraw, in order */
  const frames = () =>
    output()
      .split(CLEAR)
      .slice(1)
      .map((frame) => frame.replace(/\n$/, ''));
  /** TTY: what the line shows now */
  const screen = () => frames().at(-1);
  /** non-TTY: the lines printed */
  const lines = () => output().split('\n').slice(0, -1);
  return { bar, stream, clock, output, frames, screen, lines };
}

describe('progressBar on a TTY', () => {
  it('draws the 0% state at once', () => {
    const { screen } = setup(true, { total: 100, width: 10 });
    expect(screen()).toBe('  0%|          | 0/100 [00:00<?, ? it/s]');
  });

  it('formats label, percent, bar, counts, elapsed, ETA and rate like tqdm', () => {
    const { bar, clock, screen } = setup(true, { label: 'label', total: 10000, width: 10 }, 200);
    clock.t = 3400;
    bar.update({ done: 4200 });
    // 42% of 10 cells = 4 full cells and 2.6 eighths, drawn as one eighth
    expect(screen()).toBe('label  42%|████▏     | 4200/10000 [00:03<00:04, 1235.3 it/s]');
    clock.t = 3700;
    bar.update({ done: 4500, total: 10000 });
    expect(screen()).toBe('label  45%|████▌     | 4500/10000 [00:03<00:04, 1216.2 it/s]');
  });

  it('uses unicode eighths for partial cells and a full bar at 100%', () => {
    const { bar, clock, screen } = setup(true, { total: 80, width: 10, minIntervalMs: 0 });
    const bars: string[] = [];
    for (let done = 0; done <= 8; done++) {
      clock.t = 1000 + done;
      bar.update({ done });
      bars.push(screen()!.split('|')[1]!);
    }
    expect(bars).toEqual([' '.repeat(10), ...['▏', '▎', '▍', '▌', '▋', '▊', '▉'].map((c) => c.padEnd(10)), '█'.padEnd(10)]);
    bar.update({ done: 80 });
    expect(screen()).toMatch(/^100%\|██████████\| 80\/80 \[00:01<00:00, /);
  });

  it('shows 100% only when every item is done', () => {
    const { bar, clock, screen } = setup(true, { total: 1000, width: 10 });
    clock.t = 1000;
    bar.update({ done: 999 });
    expect(screen()).toMatch(/^ 99%\|█████████▉\| 999\/1000 /);
  });

  it('formats times past an hour as h:mm:ss', () => {
    const { bar, clock, screen } = setup(true, { total: 10000, width: 10 });
    clock.t = 3_725_500;
    bar.update({ done: 5000 });
    expect(screen()).toBe(' 50%|█████     | 5000/10000 [1:02:05<1:02:05, 1.34 it/s]');
  });

  it('shows s/it below 1 it/s, with an ETA of more than a day in hours', () => {
    const { bar, clock, screen } = setup(true, { total: 10000, width: 10 });
    clock.t = 10_000;
    bar.update({ done: 1 });
    expect(screen()).toBe('  0%|          | 1/10000 [00:10<27:46:30, 10.00 s/it]');
  });

  it('formats rates with k and M suffixes when large', () => {
    const { bar, clock, screen } = setup(true, { minIntervalMs: 0 });
    clock.t = 1000;
    bar.update({ done: 12 });
    expect(screen()).toBe('12 it [00:01, 12.00 it/s]');
    clock.t = 2000;
    bar.update({ done: 5000 });
    expect(screen()).toBe('5000 it [00:02, 2500.0 it/s]');
    bar.update({ done: 50_000 });
    expect(screen()).toBe('50000 it [00:02, 25.0k it/s]');
    bar.update({ done: 6_000_000 });
    expect(screen()).toBe('6000000 it [00:02, 3.00M it/s]');
  });

  it('shows count, elapsed and rate without bar or percentage while the total is unknown', () => {
    const { bar, clock, screen } = setup(true, { label: 'label' });
    expect(screen()).toBe('label 0 it [00:00, ? it/s]');
    clock.t = 3400;
    bar.update({ done: 4200 });
    expect(screen()).toBe('label 4200 it [00:03, 1235.3 it/s]');
    // the total becomes known later: the bar appears
    clock.t = 4000;
    bar.update({ done: 5000, total: 10000 });
    expect(screen()).toMatch(/^label  50%\|[^|]+\| 5000\/10000 \[00:04<00:04, 1250\.0 it\/s\]$/);
    // an event without total keeps the known one
    clock.t = 5000;
    bar.update({ done: 6000 });
    expect(screen()).toMatch(/ 60%\|.*\| 6000\/10000 /);
  });

  it('sizes the bar so the line fits stream.columns (one column kept free), else 80', () => {
    for (const columns of [60, 120, undefined]) {
      const { bar, clock, frames } = setup(true, { label: 'work', total: 1000 }, columns);
      for (let i = 1; i <= 10; i++) {
        clock.t = i * 1000;
        bar.update({ done: i * 100 - (i % 3) * 7 });
      }
      clock.t = 10_100;
      bar.update({ done: 1000 }); // 99.0 it/s: the widest tail of all
      bar.done();
      const all = frames();
      expect(all.length).toBe(12);
      const max = (columns ?? 80) - 1;
      // the bar keeps one width, sized for a typical tail ('1000/1000 [00:00<00:00, 9999.9 it/s]')
      const cells = max - 'work 100%|| 1000/1000 [00:00<00:00, 9999.9 it/s]'.length;
      for (const frame of all) {
        expect(frame.length).toBeLessThanOrEqual(max);
        expect(frame.split('|')[1]!.length).toBe(cells);
      }
      expect(all.at(-1)).toBe(`work 100%|${'█'.repeat(cells)}| 1000/1000 [00:10<00:00, 99.01 it/s]`);
      expect(all.at(-2)!.length).toBe(max - 2); // '... 993/1000 [00:10<00:00, 99.30 it/s]'
    }
  });

  it('shrinks the bar rather than overflow when the tail is wider than usual', () => {
    const { bar, clock, screen } = setup(true, { total: 100 }, 80);
    const cells = (): number => screen()!.split('|')[1]!.length;
    const usual = cells();
    clock.t = 3_700_000;
    bar.update({ done: 1 });
    expect(screen()).toMatch(/\| 1\/100 \[1:01:40<101:45:00, 3700\.00 s\/it\]$/);
    expect(screen()!.length).toBe(79);
    expect(cells()).toBe(usual - 5);
  });

  it('follows the terminal when it is resized', () => {
    const { bar, clock, stream, screen } = setup(true, { total: 100 }, 100);
    expect(screen()!.split('|')[1]!.length).toBe(99 - '  0%|| 100/100 [00:00<00:00, 9999.9 it/s]'.length);
    stream.columns = 50;
    clock.t = 1000;
    bar.update({ done: 50 });
    expect(screen()).toBe(' 50%|████    | 50/100 [00:01<00:01, 50.00 it/s]');
    expect(screen()!.split('|')[1]!.length).toBe(49 - ' 50%|| 100/100 [00:00<00:00, 9999.9 it/s]'.length);

    expect(screen()).toMatch(/^ 50%\|█+ +\| 50\/100 /);
  });

  it('drops the bar, then cuts the line, when the terminal is too narrow', () => {
    const { bar, clock, screen } = setup(true, { label: 'a long label', total: 100 }, 30);
    clock.t = 1000;
    bar.update({ done: 50 });
    expect(screen()).toBe('a long label  50% 50/100 [00:'); // 29 columns
  });

  it('uses an explicit width as the bar width', () => {
    const { bar, clock, screen } = setup(true, { total: 100, width: 25 }, 200);
    clock.t = 1000;
    bar.update({ done: 40 });
    expect(screen()!.split('|')[1]).toBe('██████████'.padEnd(25));
  });

  it('redraws with \\r and clear-line, throttled to minIntervalMs, except the final draw', () => {
    const { bar, clock, output, frames } = setup(true, { total: 1000, width: 10 });
    for (let i = 1; i < 100; i++) {
      clock.t = i * 10;
      bar.update({ done: i * 10 });
    }
    // t = 0 (creation), then 100, 200, ..., 900
    expect(frames().length).toBe(10);
    clock.t = 995;
    bar.update({ done: 1000 }); // complete: drawn at once
    expect(frames().length).toBe(11);
    expect(frames().at(-1)).toMatch(/^100%\|██████████\| 1000\/1000 \[00:00<00:00, /);
    expect(output()).not.toContain('\n');
    bar.done();
    expect(output().endsWith('\n')).toBe(true);
    expect(output().split('\n').length).toBe(2);
  });

  it('honours a custom minIntervalMs', () => {
    const { bar, clock, frames } = setup(true, { total: 1000, minIntervalMs: 500 });
    for (let i = 1; i <= 20; i++) {
      clock.t = i * 100;
      bar.update({ done: i });
    }
    expect(frames().length).toBe(1 + 4); // 0, 500, 1000, 1500, 2000
  });

  it('done() draws where it stopped and ends the line; a second done() prints nothing', () => {
    const { bar, clock, stream, output, screen } = setup(true, { total: 100, width: 10 });
    clock.t = 1000;
    bar.update({ done: 37 });
    clock.t = 1050;
    bar.update({ done: 40 }); // throttled away
    bar.done();
    expect(screen()).toBe(' 40%|████      | 40/100 [00:01<00:01, 38.10 it/s]');
    expect(output().endsWith('\n')).toBe(true);
    const writes = stream.writes.length;
    bar.done();
    bar.update({ done: 50 });
    bar.onProgress({ done: 60 });
    expect(stream.writes.length).toBe(writes);
  });

  it('done() only ends the line when the screen already shows the final state', () => {
    const { bar, clock, stream } = setup(true, { total: 10, width: 10 });
    clock.t = 1000;
    bar.update({ done: 10 });
    const writes = stream.writes.length;
    bar.done();
    expect(stream.writes.slice(writes)).toEqual(['\n']);
  });

  it('onProgress works detached from the bar', () => {
    const { bar, clock, screen } = setup(true, { total: 10, width: 10 });
    const { onProgress } = bar;
    clock.t = 1000;
    onProgress({ done: 5 });
    expect(screen()).toMatch(/^ 50%\|█████     \| 5\/10 /);
    const { update, done } = bar;
    update({ done: 10 });
    done();
    expect(screen()).toMatch(/^100%/);
  });
});

describe('progressBar on a plain stream (not a TTY)', () => {
  it('prints plain lines, without \\r or escapes, at most every 10%', () => {
    const { bar, clock, output, lines } = setup(false, { label: 'label', total: 100 });
    for (let i = 1; i <= 100; i++) {
      clock.t = i * 1000;
      bar.update({ done: i });
    }
    bar.done();
    expect(output()).not.toMatch(/[\r\x1b]/);
    expect(lines()).toEqual([
      'label   0% 0/100 [00:00<?, ? it/s]',
      'label  10% 10/100 [00:10<01:30, 1.00 it/s]',
      'label  20% 20/100 [00:20<01:20, 1.00 it/s]',
      'label  30% 30/100 [00:30<01:10, 1.00 it/s]',
      'label  40% 40/100 [00:40<01:00, 1.00 it/s]',
      'label  50% 50/100 [00:50<00:50, 1.00 it/s]',
      'label  60% 60/100 [01:00<00:40, 1.00 it/s]',
      'label  70% 70/100 [01:10<00:30, 1.00 it/s]',
      'label  80% 80/100 [01:20<00:20, 1.00 it/s]',
      'label  90% 90/100 [01:30<00:10, 1.00 it/s]',
      'label 100% 100/100 [01:40<00:00, 1.00 it/s]',
    ]);
  });

  it('prints one line for a jump across several 10% steps', () => {
    const { bar, clock, lines } = setup(false, { total: 100 });
    clock.t = 1000;
    bar.update({ done: 5 });
    clock.t = 2000;
    bar.update({ done: 47 });
    clock.t = 3000;
    bar.update({ done: 49 });
    expect(lines()).toEqual(['  0% 0/100 [00:00<?, ? it/s]', ' 47% 47/100 [00:02<00:02, 23.50 it/s]']);
  });

  it('is throttled too, but always prints the final line', () => {
    const { bar, clock, lines } = setup(false, { total: 100 });
    for (let i = 1; i <= 100; i++) {
      clock.t = i * 0.5;
      bar.update({ done: i });
    }
    bar.done();
    bar.done();
    expect(lines()).toEqual(['  0% 0/100 [00:00<?, ? it/s]', '100% 100/100 [00:00<00:00, 2000.0 it/s]']);
  });

  it('prints a line every 5 s of clock time while the total is unknown, and the last on done()', () => {
    const { bar, clock, lines } = setup(false, { label: 'scan' });
    for (let i = 1; i <= 12; i++) {
      clock.t = i * 1000;
      bar.update({ done: i * 10 });
    }
    bar.done();
    expect(lines()).toEqual([
      'scan 0 it [00:00, ? it/s]',
      'scan 50 it [00:05, 10.00 it/s]',
      'scan 100 it [00:10, 10.00 it/s]',
      'scan 120 it [00:12, 10.00 it/s]',
    ]);
  });

  it('done() prints where it stopped, once', () => {
    const { bar, clock, lines } = setup(false, { total: 100 });
    clock.t = 2000;
    bar.update({ done: 37 });
    bar.done();
    bar.done();
    expect(lines()).toEqual(['  0% 0/100 [00:00<?, ? it/s]', ' 37% 37/100 [00:02<00:03, 18.50 it/s]']);
  });

  it('ignores columns and width: lines are never cut', () => {
    const { bar, clock, lines } = setup(false, { label: 'x'.repeat(40), total: 100, width: 10 }, 20);
    clock.t = 1000;
    bar.update({ done: 100 });
    expect(lines()[1]).toBe(`${'x'.repeat(40)} 100% 100/100 [00:01<00:00, 100.0 it/s]`);
  });
});

describe('progressBar and a failing stream', () => {
  it('never throws when write throws', () => {
    const stream = {
      isTTY: true,
      write() {
        throw new Error('closed');
      },
    } as unknown as NodeJS.WritableStream;
    let t = 0;
    const bar = progressBar({ stream, total: 10, clock: () => (t += 1000) });
    expect(() => {
      bar.update({ done: 5 });
      bar.done();
    }).not.toThrow();
  });

  it('writes nothing to an ended stream, and does not throw', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    const bar = progressBar({ stream, total: 10 });
    bar.update({ done: 10 });
    bar.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toEqual([]);
    expect(stream.listenerCount('error')).toBe(0);
  });

  it("swallows the stream's 'error' events while it writes, then stops listening", async () => {
    let attempts = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        attempts++;
        callback(new Error('EPIPE'));
      },
    });
    const before = stream.listenerCount('error');
    const bar = progressBar({ stream, total: 10, minIntervalMs: 0 });
    bar.update({ done: 5 });
    await new Promise((resolve) => setImmediate(resolve));
    bar.update({ done: 8 });
    bar.done();
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(stream.destroyed).toBe(true);
    expect(stream.listenerCount('error')).toBe(before);
  });
});

describe('progressBar options', () => {
  it('rejects a negative or non-finite total, width or minIntervalMs', () => {
    const stream = fakeStream(true) as unknown as NodeJS.WritableStream;
    expect(() => progressBar({ stream, total: -1 })).toThrow(RangeError);
    expect(() => progressBar({ stream, width: 2.5 })).toThrow(RangeError);
    expect(() => progressBar({ stream, minIntervalMs: Number.NaN })).toThrow(RangeError);
  });
});
