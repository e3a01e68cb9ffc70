// Entry of a child process (forked by backends/processes.ts): says it is ready, takes the pool's
// init as its first message, then answers each {id, task} with {id, reply}, one at a time.
import type { Reply, Task, WorkerInit } from './protocol.js';

type Message = { init: WorkerInit } | { id: number; task: Task };

let core: Promise<(task: Task) => Reply | Promise<Reply>> | undefined;

process.on('message', (message: Message) => {
  if ('init' in message) {
    // Must happen before any user module is imported (tasks import them): see registry.isDry.
    (globalThis as { __teleportMain?: string }).__teleportMain = message.init.main;
    // Loaded dynamically so that the runtime's module graph evaluates after the assignment above.
    core = import('./worker-core.js').then((m) => m.createWorkerCore(message.init, { bytes: true }));
    return;
  }
  void core!.then((handle) => handle(message.task)).then((reply) => send({ id: message.id, reply }));
});
// The parent closed the channel (close(), idle timeout, or the parent itself exited).
process.on('disconnect', () => process.exit(0));
// Remote stacks should point at the user's TypeScript when the build emitted source maps.
process.setSourceMapsEnabled(true);
// Messages that arrive before a listener exists are dropped: the parent waits for this one.
if (process.connected) send({ ready: true });
else process.exit(0);

function send(message: unknown): void {
  process.send?.(message, undefined, undefined, () => {}); // a failed send means the parent is gone
}
