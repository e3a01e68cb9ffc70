// mathjs instances the mathjs workload uses. A module of its own: functions sent to workers use
// them as imports (each worker makes its own), since an instance itself cannot be sent (its
// event methods come from tiny-emitter, a CommonJS package the transform does not compile).
import { all, create } from 'mathjs';

export const math = create(all, {});
export const big = create(all, { number: 'BigNumber', precision: 40 });
export const frac = create(all, { number: 'Fraction' });
