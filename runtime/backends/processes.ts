// Child-process backend (placeholder until implemented in this session; not wired into docs).
import type { Backend, BackendOptions } from './types.js';
import type { Reply, Task } from '../protocol.js';

export class ProcessesBackend implements Backend {
  constructor(readonly options: BackendOptions) {
    throw new Error("teleport: backend 'processes' is not available in this build");
  }
  exec(_task: Task): Promise<Reply> {
    throw new Error('unreachable');
  }
  async close(): Promise<void> {}
  async terminate(): Promise<void> {}
}
