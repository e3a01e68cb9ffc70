// A tqdm-style progress bar for `pool.map(..., { onProgress })`: redrawn in place on a TTY, and
// plain log lines (every 10% or every 5 s) when the stream is a file, a pipe or a CI log.

/** What `MapOptions.onProgress` receives: items done so far, and the total when it is known. */
export interface ProgressEvent {
  done: number;
  total?: number;
}

export interface ProgressBarOptions {
  /** shown before the bar */
  label?: string;
  /** initial total if known (a later event's total replaces it) */
  total?: number;
  /** default process.stderr */
  stream?: NodeJS.WritableStream;
  /** bar width in cells (default: the line fits the terminal: stream.columns, else 80) */
  width?: number;
  /** redraw at most this often (default 100 ms), except the final draw */
  minIntervalMs?: number;
  /** milliseconds, injectable for tests (default performance.now) */
  clock?: () => number;
}

export interface ProgressBar {
  /** pass as MapOptions.onProgress (a bound arrow: it may be passed detached) */
  readonly onProgress: (p: ProgressEvent) => void;
  update(p: ProgressEvent): void;
  /** final redraw at 100% (or where it stopped) and newline; idempotent */
  done(): void;
}

/** partial cells, in eighths: index k is k/8 of a cell */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
/** back to column 0 and erase the line */
const CLEAR = '\r\x1b[2K';
/** a plain (non-TTY) line at most this often while the total is unknown */
const PLAIN_INTERVAL_MS = 5000;
const DEFAULT_COLUMNS = 80;

type StreamLike = NodeJS.WritableStream & {
  isTTY?: boolean;
  columns?: number;
  destroyed?: boolean;
  writableEnded?: boolean;
};

/**
 * Creates a progress bar writing to `options.stream` (default stderr). It draws its 0% state at
 * once; feed it events (`onProgress`, `update`) and call `done()` at the end.
 */
export function progressBar(options: ProgressBarOptions = {}): ProgressBar {
  const label = options.label ?? '';
  const stream = (options.stream ?? process.stderr) as StreamLike;
  const clock = options.clock ?? (() => performance.now());
  const minIntervalMs = options.minIntervalMs ?? 100;
  const fixedWidth = options.width;
  checkOption('total', options.total, false);
  checkOption('width', fixedWidth, true);
  checkOption('minIntervalMs', minIntervalMs, false);

  const tty = stream.isTTY === true;
  const start = clock();
  let done = 0;
  let total = options.total;
  let finished = false;
  /** a write threw or the stream reported an error: write nothing more */
  let broken = false;
  let lastDrawAt = -Infinity;
  /** TTY: the text on screen now */
  let shown: string | undefined;
  /** plain mode: the state of the last line printed */
  let printed: { done: number; total: number | undefined } | undefined;

  // An 'error' event nobody listens to would crash the process; while the bar lives it listens.
  const onStreamError = (): void => {
    broken = true;
  };
  const listening = typeof stream.on === 'function' && typeof stream.removeListener === 'function';
  if (listening) stream.on('error', onStreamError);
  const stopListening = (): void => {
    if (listening) stream.removeListener('error', onStreamError);
  };

  const write = (text: string, flushed?: () => void): boolean => {
    if (broken || stream.destroyed === true || stream.writableEnded === true || stream.writable === false) {
      return false;
    }
    try {
      if (flushed) stream.write(text, () => flushed());
      else stream.write(text);
      return true;
    } catch {
      broken = true;
      return false;
    }
  };

  const render = (now: number): string => {
    const elapsed = Math.max(0, now - start) / 1000;
    const rate = elapsed > 0 && done > 0 ? done / elapsed : undefined;
    const head = label === '' ? '' : `${label} `;
    if (total === undefined) {
      return fit(`${head}${done} it [${formatInterval(elapsed)}, ${formatRate(rate)}]`);
    }
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
    const remaining = done >= total ? 0 : rate === undefined ? undefined : (total - done) / rate;
    const tail = `${done}/${total} [${formatInterval(elapsed)}<${formatInterval(remaining)}, ${formatRate(rate)}]`;
    const plain = `${head}${percent} ${tail}`;
    if (!tty) return plain;
    // room is reserved for a typical tail, so the bar keeps its width as `?` turns into numbers
    const reserved = Math.max(tail.length, `${total}/${total} [00:00<00:00, 9999.9 it/s]`.length);
    const cells = fixedWidth ?? terminalColumns() - 1 - `${head}${percent}|| `.length - reserved;
    return cells < 1 ? fit(plain) : fit(`${head}${percent}|${bar(fraction, cells)}| ${tail}`);
  };

  /** columns of a real terminal, else the default */
  const terminalColumns = (): number => {
    const columns = stream.columns;
    return typeof columns === 'number' && columns > 0 ? columns : DEFAULT_COLUMNS;
  };

  /** on a real terminal, cuts the line to leave one column free: a wrapped line breaks `\r` redraws */
  const fit = (line: string): string => {
    const columns = stream.columns;
    if (!tty || typeof columns !== 'number' || !(columns > 0)) return line;
    return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
  };

  const drawTty = (now: number): void => {
    const text = render(now);
    lastDrawAt = now;
    if (text === shown) return;
    if (write(CLEAR + text)) shown = text;
  };

  const printLine = (now: number): void => {
    lastDrawAt = now;
    printed = { done, total };
    write(`${render(now)}\n`);
  };

  /** plain mode: is a line due (a new 10% step, or 5 s since the last line when total is unknown)? */
  const plainDue = (now: number): boolean => {
    if (printed === undefined) return true;
    if (total === undefined) return now - lastDrawAt >= PLAIN_INTERVAL_MS;
    if (printed.total !== total) return true;
    return decile(done, total) > decile(printed.done, total);
  };

  const update = (p: ProgressEvent): void => {
    if (finished || p === null || typeof p !== 'object') return;
    if (typeof p.done !== 'number' || !Number.isFinite(p.done)) return;
    done = p.done;
    if (typeof p.total === 'number' && Number.isFinite(p.total) && p.total >= 0) total = p.total;
    const now = clock();
    const complete = total !== undefined && done >= total;
    if (!complete && now - lastDrawAt < minIntervalMs) return;
    if (tty) drawTty(now);
    else if (complete ? !samePrinted() : plainDue(now)) printLine(now);
  };

  const samePrinted = (): boolean => printed !== undefined && printed.done === done && printed.total === total;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    const now = clock();
    let text: string | undefined;
    if (tty) {
      const line = render(now);
      text = (line === shown ? '' : CLEAR + line) + '\n';
    } else if (!samePrinted()) {
      text = `${render(now)}\n`;
    }
    // stop listening only once the last write has settled (its error, if any, is emitted after)
    const settle = (): void => void setImmediate(stopListening);
    if (text === undefined || !write(text, settle)) settle();
  };

  // the 0% state, at once: map's first event comes only when the first chunk is done
  if (tty) drawTty(start);
  else printLine(start);

  return { onProgress: (p: ProgressEvent) => update(p), update, done: finish };
}

/** `width` cells, filled to `fraction` in eighths of a cell */
function bar(fraction: number, width: number): string {
  const eighths = Math.floor(fraction * width * 8 + 1e-9); // 1e-9: 0.3 * 80 is 23.999...
  const full = Math.floor(eighths / 8);
  const partial = full < width ? EIGHTHS[eighths % 8] : '';
  return (FULL.repeat(full) + partial).padEnd(width, ' ');
}

/** 0..10: which 10% step `done` has reached */
function decile(done: number, total: number): number {
  return total > 0 ? Math.floor(Math.min(1, Math.max(0, done / total)) * 10) : 10;
}

/** mm:ss, or h:mm:ss from an hour on (seconds truncated, as tqdm does); `?` when unknown */
function formatInterval(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const whole = Math.floor(Math.max(0, seconds));
  const s = whole % 60;
  const m = Math.floor(whole / 60) % 60;
  const h = Math.floor(whole / 3600);
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** `12.34 it/s`, `1234.5 it/s`, `25.0k it/s`, `3.00M it/s`; `2.50 s/it` below 1 it/s */
function formatRate(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return '? it/s';
  if (rate < 1) return `${(1 / rate).toFixed(2)} s/it`;
  if (rate < 100) return `${rate.toFixed(2)} it/s`;
  if (rate < 1e4) return `${rate.toFixed(1)} it/s`;
  if (rate < 1e6) return `${(rate / 1e3).toFixed(1)}k it/s`;
  return `${(rate / 1e6).toFixed(2)}M it/s`;
}

function checkOption(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value));
  if (!ok) {
    const what = integer ? 'a non-negative integer' : 'a non-negative finite number';
    throw new RangeError(`progressBar: ${name} must be ${what}, received ${String(value)}`);
  }
}
