// Static worker file for piscina and tinypool (their documented form: a module whose default
// export handles one task).
import { inc, spin } from '../workload.mjs';

export default function task(x) {
  return typeof x === 'number' ? inc(x) : spin(x[0], x[1]);
}
