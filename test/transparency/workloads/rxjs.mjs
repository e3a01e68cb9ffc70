// rxjs workload: thousands of operator pipelines over generated inputs (map/filter/scan/mergeMap/
// switchMap/concatMap/exhaustMap/bufferCount/groupBy/combineLatest/zip/…), Subjects of every kind,
// error, retry and completion paths, and time-based operators (debounce, throttle, delay, buffers,
// windows, timers) under a virtual TestScheduler; every notification is recorded and hashed.
// Pool mode sends closures over rxjs, operator functions rxjs made, and Observables as items.
import * as rxjsNs from 'rxjs';
import {
  AsyncSubject, BehaviorSubject, EMPTY, Observable, ReplaySubject, Subject, asyncScheduler, catchError, combineLatest, concat, concatMap, debounce, debounceTime,
  defaultIfEmpty, defer, delay, distinctUntilChanged, endWith, exhaustMap, expand, filter, finalize, forkJoin, from, groupBy, interval, map, merge, mergeMap,
  of, pairwise, partition, pipe, race, range, reduce, retry, sampleTime, scan, share, shareReplay, skip, startWith, switchMap, take, takeUntil, takeWhile,
  tap, throttleTime, throwError, timer, toArray, bufferCount, bufferTime, withLatestFrom, windowCount, zip, auditTime, timeout, materialize, dematerialize,
  connectable, distinct, first, last, every, count, max, min, mergeScan, switchScan, raceWith, zipWith, combineLatestWith, audit, sample, window,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { emit, emitShape, mode, openPool, prng, runTimed, sha256, stringify, viaPool } from './common.mjs';

const ROUNDS = Number(process.env.TP_RXJS_ROUNDS ?? 400);

/** Subscribes synchronously and records every notification (sync sources only). */
function collect(obs) {
  const out = [];
  const sub = obs.subscribe({
    next: (v) => out.push(['N', v]),
    error: (e) => out.push(['E', e instanceof Error ? `${e.constructor.name}: ${e.message}` : stringify(e)]),
    complete: () => out.push(['C']),
  });
  sub.unsubscribe();
  return out;
}

/** A batch of synchronous pipelines over `xs` (numbers), parameterised by `k`. */
function syncPipelines(xs, k) {
  const src = from(xs);
  const r = {};
  r.mapFilterScan = collect(src.pipe(map((x) => x * k), filter((x) => x % 3 !== 0), scan((acc, x) => acc + x, 0)));
  r.reduce = collect(src.pipe(reduce((acc, x, i) => acc + x * i, k)));
  r.mergeMap = collect(src.pipe(take(8), mergeMap((x) => range(0, x % 4).pipe(map((y) => [x, y])))));
  r.switchMap = collect(src.pipe(take(10), switchMap((x) => of(x, x + k, x * 2))));
  r.concatMap = collect(src.pipe(take(10), concatMap((x) => from([x, -x]).pipe(filter((y) => y !== 0)))));
  r.exhaustMap = collect(src.pipe(take(10), exhaustMap((x) => of(`e${x}`))));
  r.bufferCount = collect(src.pipe(bufferCount(3, 2)));
  r.groupBy = collect(src.pipe(groupBy((x) => x % (k + 2)), mergeMap((g) => g.pipe(toArray(), map((items) => [g.key, items])))));
  r.combineLatest = collect(combineLatest([src.pipe(take(5)), of('a', 'b'), of(k)]));
  r.combineLatestWith = collect(of(1, 2).pipe(combineLatestWith(src.pipe(take(3)))));
  r.zip = collect(zip(src, src.pipe(map((x) => x * x)), of('p', 'q', 'r', 's')));
  r.zipWith = collect(src.pipe(take(4), zipWith(range(100, 3))));
  r.withLatestFrom = collect(src.pipe(take(6), withLatestFrom(of('latest'))));
  r.distinct = collect(src.pipe(map((x) => x % 7), distinctUntilChanged(), distinct()));
  r.takeWhile = collect(src.pipe(takeWhile((x) => x < 50 + k, true), skip(1)));
  r.pairwise = collect(src.pipe(take(6), pairwise(), startWith(['start']), endWith(['end'])));
  r.window = collect(src.pipe(take(9), windowCount(4), mergeMap((w) => w.pipe(toArray()))));
  r.expand = collect(of(1).pipe(expand((x) => (x < 200 + k ? of(x * 2 + 1) : EMPTY)), count()));
  const [evens, odds] = partition(src, (x) => x % 2 === 0);
  r.partition = [collect(evens.pipe(count())), collect(odds.pipe(max())), collect(src.pipe(min()))];
  r.firstLast = [collect(src.pipe(first((x) => x > k))), collect(src.pipe(last())), collect(src.pipe(every((x) => x >= 0)))];
  r.defaultIfEmpty = collect(src.pipe(filter(() => false), defaultIfEmpty('none')));
  r.mergeScan = collect(src.pipe(take(5), mergeScan((acc, x) => of(acc + x), 0)));
  r.switchScan = collect(src.pipe(take(5), switchScan((acc, x) => of(acc * 2 + x), 1)));
  // errors: thrown in a projection, caught, retried, rethrown; finalize and materialize
  let attempts = 0;
  const flaky = defer(() => (++attempts < 3 ? throwError(() => new RangeError(`attempt ${attempts}`)) : of('ok', attempts)));
  r.retry = collect(flaky.pipe(retry(3)));
  const log = [];
  r.catchError = collect(src.pipe(map((x) => { if (x > 40 + k) throw new TypeError(`too big: ${x}`); return x; }), catchError((e) => of(`caught ${e.message}`)), finalize(() => log.push('finalized'))));
  r.uncaught = collect(src.pipe(mergeMap((x) => (x === xs[3] ? throwError(() => new SyntaxError(`bad ${x}`)) : of(x)))));
  r.materialize = collect(concat(src.pipe(take(3)), throwError(() => new Error('end'))).pipe(materialize(), map((n) => [n.kind, n.value ?? null]), toArray()));
  r.dematerialize = collect(of({ kind: 'N', value: 1 }, { kind: 'C' }).pipe(dematerialize()));
  r.forkJoin = collect(forkJoin({ a: src.pipe(last()), b: of(k), c: range(0, 3).pipe(toArray()) }));
  r.race = collect(race(of('first'), of('second')).pipe(raceWith(of('third'))));
  r.log = log;
  return r;
}

/** Subjects: multicasting, replay, late subscribers, completion and errors. */
function subjects(xs, k) {
  const out = [];
  const s = new Subject();
  const a = [];
  const b = [];
  s.pipe(map((x) => x + k)).subscribe((v) => a.push(v));
  for (const x of xs.slice(0, 5)) s.next(x);
  const sub = s.subscribe((v) => b.push(v));
  for (const x of xs.slice(5, 10)) s.next(x);
  sub.unsubscribe();
  s.next(-1);
  s.complete();
  out.push(a, b, s.closed, s.observed);
  const bs = new BehaviorSubject(k);
  const seen = [];
  bs.subscribe((v) => seen.push(v));
  bs.next(xs[0]);
  out.push(seen, bs.getValue());
  const rs = new ReplaySubject(3);
  for (const x of xs.slice(0, 7)) rs.next(x);
  out.push(collect(rs.pipe(take(3))));
  const as = new AsyncSubject();
  const asOut = [];
  as.subscribe({ next: (v) => asOut.push(v), complete: () => asOut.push('done') });
  as.next(1); as.next(xs[1]); as.complete();
  out.push(asOut);
  const es = new Subject();
  const errs = [];
  es.subscribe({ error: (e) => errs.push(e.message) });
  es.error(new Error(`subject error ${k}`));
  es.subscribe({ error: (e) => errs.push('late ' + e.message) });
  out.push(errs);
  // share / shareReplay / connectable over a cold source
  let subscriptions = 0;
  const cold = defer(() => { subscriptions++; return from(xs.slice(0, 4)); });
  const shared = cold.pipe(shareReplay(2));
  out.push(collect(shared), collect(shared), subscriptions);
  const c = connectable(from(xs.slice(0, 3)), { connector: () => new ReplaySubject() });
  const cOut = [];
  c.subscribe((v) => cOut.push(v));
  c.connect();
  out.push(cOut, collect(c));
  const sharedSubject = new Subject();
  const sh = sharedSubject.pipe(share());
  const shOut = [];
  sh.subscribe((v) => shOut.push(['x', v]));
  sh.subscribe((v) => shOut.push(['y', v]));
  sharedSubject.next(k);
  sharedSubject.complete();
  out.push(shOut);
  // a hand-written Observable with teardown
  const torn = [];
  const custom = new Observable((subscriber) => {
    for (const x of xs.slice(0, 3)) subscriber.next(x * 10);
    subscriber.complete();
    return () => torn.push('teardown');
  });
  out.push(collect(custom.pipe(tap((v) => torn.push(v)))), torn);
  return out;
}

/** Time-based operators on the virtual clock: the recorded frames of each expectation. */
function virtualTime(seed) {
  const rnd = prng(seed);
  const frames = [];
  const scheduler = new TestScheduler((actual) => { frames.push(actual); });
  const letters = 'abcdefghij';
  const marbles = (n) => {
    let m = '';
    for (let i = 0; i < n; i++) m += rnd() < 0.4 ? letters[Math.floor(rnd() * letters.length)] : '-';
    return m + (rnd() < 0.2 ? '#' : '|');
  };
  scheduler.run(({ cold, hot, expectObservable }) => {
    const src = cold(marbles(30));
    const other = hot('^' + marbles(25));
    expectObservable(src.pipe(debounceTime(3)));
    expectObservable(src.pipe(debounce((v) => timer(letters.indexOf(v) % 4))));
    expectObservable(src.pipe(throttleTime(4, undefined, { leading: true, trailing: true })));
    expectObservable(src.pipe(auditTime(2)));
    expectObservable(src.pipe(audit(() => timer(3))));
    expectObservable(src.pipe(sampleTime(5)));
    expectObservable(src.pipe(sample(interval(4))));
    expectObservable(src.pipe(delay(7)));
    expectObservable(src.pipe(bufferTime(6)));
    expectObservable(src.pipe(window(interval(8)), mergeMap((w) => w.pipe(toArray()))));
    expectObservable(src.pipe(switchMap((v) => timer(2).pipe(map(() => v + '!')))));
    expectObservable(src.pipe(concatMap((v) => of(v).pipe(delay(1)))));
    expectObservable(src.pipe(exhaustMap((v) => timer(5).pipe(map(() => v)))));
    expectObservable(merge(src, other).pipe(scan((acc, v) => acc + v, '')));
    expectObservable(combineLatest([src, other]));
    expectObservable(src.pipe(takeUntil(timer(20))));
    expectObservable(src.pipe(timeout({ each: 6, with: () => of('timed out') })));
    expectObservable(interval(3).pipe(take(5), map((i) => i * i)));
    expectObservable(src.pipe(catchError(() => of('recovered')), retry(1)));
  });
  return frames;
}

function work(rounds) {
  const rnd = prng(99);
  let hash = '';
  let notifications = 0;
  for (let round = 0; round < rounds; round++) {
    const xs = Array.from({ length: 20 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 100));
    const k = 1 + (round % 5);
    const r = syncPipelines(xs, k);
    const s = subjects(xs, k);
    hash = sha256(hash, stringify(r), stringify(s));
    for (const v of Object.values(r)) notifications += Array.isArray(v) ? v.length : 0;
    if (round % 4 === 0) {
      const frames = virtualTime(round);
      notifications += frames.reduce((n, f) => n + f.length, 0);
      hash = sha256(hash, stringify(frames));
    }
  }
  return { hash, rounds, notifications };
}

if (mode === 'local') {
  emitShape(rxjsNs);
  runTimed('rxjs', () => work(ROUNDS));
  // the real asynchronous scheduler, briefly (setTimeout/setInterval underneath)
  const values = await new Promise((resolve, reject) => {
    const seen = [];
    timer(0, 1, asyncScheduler).pipe(take(5), map((i) => i * 3)).subscribe({ next: (v) => seen.push(v), error: reject, complete: () => resolve(seen) });
  });
  emit({ name: 'async', hash: sha256(stringify(values)) });
} else {
  const pool = await openPool();
  try {
    const inputs = Array.from({ length: 12 }, (_, i) => Array.from({ length: 30 }, (_, j) => (i * 31 + j * 7) % 97));
    await viaPool(pool, 'closure building pipelines', (xs, i) => stringify(syncPipelines(xs, 1 + (i % 5))), inputs);
    await viaPool(pool, 'subjects', (xs, i) => stringify(subjects(xs, i)), inputs.slice(0, 6));
    await viaPool(pool, 'virtual time', (seed) => stringify(virtualTime(seed)), [1, 2, 3, 4]);
    // an operator function rxjs made (`pipe` of operators, closures over the projections), captured
    const op = pipe(map((x) => x * 3), filter((x) => x % 2 === 1), scan((acc, x) => acc + x, 0), bufferCount(4));
    await viaPool(pool, 'operator function made by rxjs', (xs) => stringify(collect(op(from(xs)))), inputs);
    // a function rxjs composed (`pipe(op, collect)`) as the function sent, Observables as the items
    await viaPool(pool, 'rxjs-composed function sent directly', pipe(op, collect), inputs.map((xs) => from(xs)));
    // Observables built here as the items: rxjs objects (source, operator) subscribed in the worker
    const observables = inputs.slice(0, 6).map((xs, i) => from(xs).pipe(take(10 + i), mergeMap((x) => of(x, -x)), groupBy((x) => x > 0), mergeMap((g) => g.pipe(toArray()))));
    await viaPool(pool, 'Observables as items', (obs) => stringify(collect(obs)), observables);
    // Subjects as items, state included
    const bss = [1, 2, 3].map((v) => new BehaviorSubject(v * 10));
    await viaPool(pool, 'BehaviorSubject as an item', (bs) => { bs.next(bs.getValue() + 1); return stringify(collect(bs.pipe(take(1)))); }, bss);
  } finally {
    await pool?.close();
  }
  emit({ name: 'done' });
}
