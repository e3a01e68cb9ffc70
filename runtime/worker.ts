// Entry of a worker thread (loaded by piscina): note the program's entry script so it is only
// ever loaded dry here, then hand every task to the shared worker core.
import { workerData } from 'node:worker_threads';
import type { Reply, Task, WorkerInit } from './protocol.js';

const init = (workerData ?? {}) as WorkerInit;
// Must happen before any user module is imported (tasks import them): see registry.isDry.
(globalThis as { __teleportMain?: string }).__teleportMain = init.main;
// Remote stacks should point at the user's TypeScript when the build emitted source maps.
process.setSourceMapsEnabled(true);

// Loaded dynamically so that the runtime's module graph evaluates after the assignment above.
let handle: ((task: Task) => Reply | Promise<Reply>) | undefined;
const core = import('./worker-core.js').then((m) => (handle = m.createWorkerCore(init)));

/** piscina's handler: a warm call's reply is returned at once (no promise) */
function teleportTask(task: Task): Reply | Promise<Reply> {
  return handle ? handle(task) : core.then((h) => h(task));
}

// piscina awaits a promise it is given as the default export before it reports the worker ready,
// so the core is loaded before the first task arrives (with `atomics: 'sync'` an idle worker
// blocks, and a load still pending would wait for that task). If the core cannot be loaded, the
// worker still starts and every task fails with the loader's error, which names the file.
export default core.then(() => teleportTask, () => teleportTask);
