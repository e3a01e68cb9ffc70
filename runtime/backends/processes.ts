// Child-process backend: `size` forked children (runtime/child.js) fed from one FIFO queue, one
// task per child at a time. Like threads, children start with the pool and are replaced when they
// die (with idleTimeout: on demand); a death becomes a WorkerError saying why.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WorkerError, causeText as text } from '../errors.js';
import { freeze, type Reply, type Task } from '../protocol.js';
import type { Backend, BackendOptions } from './types.js';

const CHILD_ENTRY = new URL('../child.js', import.meta.url);
const TAIL = 8192; // characters of each child's stderr kept to explain its death
const KEYS = 64; // call functions remembered per child (its core caches 32; a miss costs one resend)
const GRACE = 2000; // ms a disconnected child has to exit before it is killed

interface Job {
  id: number;
  task: Task;
  signal: AbortSignal | undefined;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
  onAbort(): void;
  child?: Child;
}

interface Child {
  proc: ChildProcess;
  ready: boolean;
  job: Job | undefined;
  /** keys of the call functions this child was sent */
  keys: Set<string>;
  /** the last TAIL characters of its stderr; `written` counts all, `mark` where the current task began */
  stderr: string;
  written: number;
  mark: number;
  /** stopped on purpose (close, idle timeout, abort, terminate): its exit is no failure */
  stopping: boolean;
  /** its channel closed though we did not close it (a crash, or process.disconnect() in a task) */
  disconnected?: boolean;
  /** why we killed it, when it was not our own decision (the exit status would mislead) */
  cause?: string;
  idleTimer: NodeJS.Timeout | undefined;
  gone: Promise<void>;
}

type ChildMessage = { ready: true } | { id: number; reply: Reply };

export class ProcessesBackend implements Backend {
  readonly #queue: Job[] = [];
  readonly #children = new Set<Child>(); // usable: starting, idle or busy
  readonly #alive = new Set<Child>(); // every process not yet exited (usable or stopping)
  readonly #idle: Child[] = []; // in the order they became idle
  readonly #execArgv: string[];
  readonly #drained: (() => void)[] = [];
  #nextId = 0;
  #fnBytes = 0;
  #closed = false;
  #terminated = false;
  /** keep `size` children running; else start them only for waiting tasks (idleTimeout, or after a child failed to start) */
  #eager: boolean;

  constructor(readonly options: BackendOptions) {
    this.#execArgv = execArgv(options.resourceLimits);
    this.#eager = options.idleTimeout === undefined;
    this.#pump();
  }

  exec(task: Task, signal?: AbortSignal): Promise<Reply> {
    if (this.#terminated) return Promise.reject(new WorkerError('teleport: the pool was terminated'));
    if (this.#closed) return Promise.reject(new Error('Pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    // a job may wait for a child and be sent again (a child that dropped the function): its
    // payload is frozen to bytes now, a snapshot of the caller's values
    task = { ...task, payload: freeze(task.payload) };
    return new Promise<Reply>((resolve, reject) => {
      const job: Job = { id: ++this.#nextId, task, signal, resolve, reject, onAbort: () => this.#abort(job) };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  fnBytesPosted(): number {
    return this.#fnBytes;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#busy()) await new Promise<void>((resolve) => this.#drained.push(resolve));
    await Promise.all([...this.#alive].map((child) => this.#stop(child, false)));
  }

  async terminate(): Promise<void> {
    this.#closed = this.#terminated = true;
    const error = new WorkerError('teleport: the pool was terminated');
    for (const job of this.#queue.splice(0)) this.#settle(job).reject(error);
    for (const child of this.#alive) {
      if (child.job) this.#settle(child.job).reject(error);
      child.job = undefined;
      void this.#stop(child, true);
    }
    this.#pump();
    await Promise.all([...this.#alive].map((child) => child.gone));
  }

  // ---------- internals ----------

  /** Gives waiting tasks to idle children and starts children (up to size). */
  #pump(): void {
    while (this.#queue.length > 0 && this.#idle.length > 0) this.#send(this.#idle.shift()!, this.#queue.shift()!, false);
    let starting = 0;
    for (const child of this.#children) if (!child.ready) starting++;
    const eager = this.#eager && !this.#closed;
    while (!this.#terminated && this.#children.size < this.options.size && (eager || this.#queue.length > starting)) {
      if (!this.#spawn()) break;
      starting++;
    }
    // a starting child keeps this process alive only while tasks wait for it
    for (const child of this.#children) if (!child.ready) hold(child.proc, this.#queue.length > 0);
    if (!this.#busy()) for (const resolve of this.#drained.splice(0)) resolve();
  }

  #busy(): boolean {
    return this.#queue.length > 0 || [...this.#alive].some((child) => child.job);
  }

  #spawn(): boolean {
    let proc: ChildProcess;
    try {
      proc = fork(fileURLToPath(CHILD_ENTRY), [], {
        serialization: 'advanced', execArgv: this.#execArgv, stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
      });
    } catch (error) {
      this.#eager = false;
      this.#failQueue(new WorkerError(`teleport: cannot start a child process: ${text(error)}`, { cause: error }));
      return false;
    }
    let exited!: () => void;
    const child: Child = {
      proc, ready: false, job: undefined, keys: new Set(), stderr: '', written: 0, mark: 0, stopping: false,
      idleTimer: undefined, gone: new Promise<void>((resolve) => (exited = resolve)),
    };
    this.#children.add(child);
    this.#alive.add(child);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      child.stderr = (child.stderr + chunk).slice(-TAIL);
      child.written += chunk.length;
    });
    (proc.stderr as Socket).unref(); // the channel and the process handle decide liveness
    proc.on('message', (message: ChildMessage) => this.#onMessage(child, message));
    // The channel closed though we did not close it: a crash (its exit follows at once) or a task
    // that called process.disconnect() (no reply can come back: end it).
    proc.on('disconnect', () => {
      if (child.stopping) return;
      child.disconnected = true;
      this.#lost(child);
      setTimeout(() => {
        if (child.stopping || !this.#alive.has(child) || proc.exitCode !== null || proc.signalCode !== null) return;
        child.cause = 'closed its IPC channel (process.disconnect()?) and was killed';
        void this.#stop(child, true);
      }, GRACE).unref(); // a running task refs the child, which keeps this process alive till then
    });
    // The verdict waits for the stderr pipe to be drained (the last words of a crash), but not for
    // long: a grandchild may hold it open. (No 'close' event: it never comes after disconnect().)
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: unknown) => {
      if (!this.#alive.has(child)) return;
      clearTimeout(timer);
      this.#onExit(child, code, signal, error);
      exited();
    };
    proc.on('exit', (code, signal) => {
      if (!child.stopping) this.#lost(child);
      if (proc.stderr!.closed) return finish(code, signal);
      proc.stderr!.once('close', () => finish(code, signal));
      timer = setTimeout(() => finish(code, signal), 500);
    });
    proc.on('error', (error) => {
      if (proc.pid === undefined) finish(null, null, error); // it never started
    });
    return true;
  }

  #onMessage(child: Child, message: ChildMessage): void {
    if ('ready' in message) {
      if (!this.#children.has(child)) return; // stopped while starting
      child.ready = true;
      this.#eager = this.options.idleTimeout === undefined;
      child.proc.send({ init: this.options.init });
      this.#becomeIdle(child);
      return;
    }
    const job = child.job;
    if (!job || job.id !== message.id) return;
    if ('missing' in message.reply) {
      child.keys.delete(message.reply.missing); // its cache dropped the function: send it again
      this.#send(child, job, true);
      return;
    }
    child.job = undefined;
    this.#settle(job).resolve(message.reply);
    this.#becomeIdle(child);
  }

  #send(child: Child, job: Job, withFn: boolean): void {
    clearTimeout(child.idleTimer);
    child.job = job;
    job.child = child;
    child.mark = child.written;
    let task = job.task;
    const fn = task.fn;
    if (fn && !withFn && child.keys.has(fn.key)) task = { ...task, fn: { key: fn.key } };
    else if (fn) {
      child.keys.add(fn.key);
      if (child.keys.size > KEYS) child.keys.delete(child.keys.values().next().value as string);
      this.#fnBytes += fn.bytes?.byteLength ?? 0;
    }
    hold(child.proc, true); // a running task keeps this process alive
    child.proc.send({ id: job.id, task }, undefined, undefined, (error) => {
      if (!error || child.job !== job) return;
      child.job = undefined;
      this.#settle(job).reject(new WorkerError(`teleport: could not send the task to child process ${child.proc.pid}: ${text(error)}`, { cause: error }));
      void this.#stop(child, true);
      this.#pump();
    });
  }

  #becomeIdle(child: Child): void {
    if (!this.#children.has(child)) return;
    this.#idle.push(child);
    this.#pump();
    if (child.job) return;
    hold(child.proc, false); // an idle child must not keep this process alive
    const ms = this.options.idleTimeout;
    if (ms !== undefined && !this.#closed) child.idleTimer = setTimeout(() => void this.#stop(child, false, false), ms).unref();
  }

  #abort(job: Job): void {
    const reason = job.signal!.reason;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (job.child?.job === job) {
      job.child.job = undefined;
      void this.#stop(job.child, true); // the task may be in an endless loop: only a kill stops it
    } else return;
    this.#settle(job).reject(reason);
    this.#pump();
  }

  /** Removes the child from service and ends it: disconnect (it exits by itself) or kill. */
  #stop(child: Child, kill: boolean, wait = true): Promise<void> {
    this.#remove(child);
    child.stopping = true;
    hold(child.proc, wait); // close/terminate wait for the exit; an idle timeout does not
    if (kill) child.proc.kill('SIGKILL');
    else {
      if (child.proc.connected) child.proc.disconnect();
      setTimeout(() => child.proc.kill('SIGKILL'), GRACE).unref();
    }
    return child.gone;
  }

  /** A child is dying on its own: out of service now, replaced now (the verdict on its task may wait for its stderr). */
  #lost(child: Child): void {
    this.#remove(child);
    if (child.ready) this.#pump();
    else this.#eager = false; // it failed to start: see #onExit
  }

  /** Takes the child out of service (it gets no more tasks). */
  #remove(child: Child): void {
    this.#children.delete(child);
    const i = this.#idle.indexOf(child);
    if (i >= 0) this.#idle.splice(i, 1);
    clearTimeout(child.idleTimer);
  }

  #onExit(child: Child, code: number | null, signal: NodeJS.Signals | null, error: unknown): void {
    this.#remove(child);
    this.#alive.delete(child);
    const job = child.job;
    child.job = undefined;
    const pid = child.proc.pid;
    if (job) {
      const since = child.written - child.mark;
      const stderr = since >= child.stderr.length ? child.stderr : child.stderr.slice(-since);
      if (child.disconnected && code === 0) child.cause ??= 'closed its IPC channel (process.disconnect()?) and exited';
      const why = child.cause ? `teleport: child process ${pid} ${child.cause} while running the task; it was replaced` : describe(pid, code, signal, stderr, child.stderr, this.options);
      this.#settle(job).reject(new WorkerError(why, { cause: error }));
    } else if (!child.stopping && !this.#terminated) {
      const why = error ? text(error) : code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
      if (!child.ready) {
        // no respawning in a loop: the tasks waiting fail, later ones try again
        this.#eager = false;
        const failure = `teleport: a child process cannot start (${fileURLToPath(CHILD_ENTRY)}): it ${why}${excerpt(child.stderr)}`;
        if (this.#queue.length > 0) this.#failQueue(new WorkerError(failure, { cause: error }));
        else process.emitWarning(failure, { type: 'TeleportWarning' });
      } else {
        process.emitWarning(`teleport: child process ${pid} ${why} while idle; it will be replaced`, { type: 'TeleportWarning' });
      }
    }
    this.#pump();
  }

  #failQueue(error: WorkerError): void {
    for (const job of this.#queue.splice(0)) this.#settle(job).reject(error);
  }

  #settle(job: Job): Job {
    job.signal?.removeEventListener('abort', job.onAbort);
    job.child = undefined;
    return job;
  }
}

function hold(proc: ChildProcess, on: boolean): void {
  if (on) {
    proc.ref();
    proc.channel?.ref();
  } else {
    proc.unref();
    proc.channel?.unref();
  }
}

/** Node options for the children: the parent's (minus debugger, watch, test and eval ones) and the memory limits. */
function execArgv(limits: BackendOptions['resourceLimits']): string[] {
  const args: string[] = [];
  const inherited = process.execArgv;
  for (let i = 0; i < inherited.length; i++) {
    const arg = inherited[i]!;
    if (/^(-e|-p|--eval|--print)$/.test(arg)) i++; // and its value
    else if (!/^(--(inspect|debug|watch|test|input-type|eval|print)|-[ep]$)/.test(arg)) args.push(arg);
  }
  const mb = (n: number | undefined, scale: number) => (n && n > 0 ? Math.max(1, Math.round(n * scale)) : undefined);
  const old = mb(limits?.maxOldGenerationSizeMb, 1);
  const semi = mb(limits?.maxYoungGenerationSizeMb, 1 / 3); // the young generation is 3 semi-spaces
  const stack = mb(limits?.stackSizeMb, 1024); // --stack-size is in KB (keep it below `ulimit -s`)
  if (old) args.push(`--max-old-space-size=${old}`);
  if (semi) args.push(`--max-semi-space-size=${semi}`);
  if (stack) args.push(`--stack-size=${stack}`);
  return args;
}

/** What killed the child that was running a task, for the task's WorkerError. */
function describe(pid: number | undefined, code: number | null, signal: NodeJS.Signals | null, sinceTask: string, stderr: string, options: BackendOptions): string {
  const who = `teleport: child process ${pid ?? '(not started)'}`;
  const tail = '; it was replaced';
  if ((signal === 'SIGABRT' || code === 134) && /heap out of memory/.test(stderr)) {
    const limit = options.resourceLimits?.maxOldGenerationSizeMb;
    return `${who} ran out of memory${limit ? ` (resourceLimits.maxOldGenerationSizeMb = ${limit})` : ''} while running the task${tail}`;
  }
  if (signal) return `${who} was killed by ${signal} while running the task${tail}`;
  if (code === null) return `${who} failed while running the task${tail}`;
  // Node prints an uncaught exception as the throwing source line, a caret, then the error
  if (code === 1 && /^\s*\^+\s*$|^(Uncaught|\w*Error)\b/m.test(sinceTask)) {
    return `${who} exited with code 1 after an uncaught exception (e.g. thrown from a timer) while running the task${tail}${excerpt(sinceTask)}`;
  }
  return `${who} exited with code ${code} while running the task (process.exit?)${tail}${excerpt(sinceTask)}`;
}

/** The end of a child's stderr, as a suffix for a message ('' when it wrote nothing). */
function excerpt(stderr: string): string {
  const lines = stderr.replace(/\n*Node\.js v\d[^\n]*\n*$/, '').trimEnd().split('\n');
  const shown = lines.slice(-30).join('\n').trim();
  return shown ? `. Its stderr:\n${shown}` : '';
}

