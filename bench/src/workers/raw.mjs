// Raw worker_threads baseline: answer every message with inc(message).
import { parentPort } from 'node:worker_threads';
import { inc } from '../workload.mjs';

parentPort.on('message', (x) => parentPort.postMessage(inc(x)));
