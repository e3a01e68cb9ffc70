// immer workload: thousands of producers over a large state tree (objects, arrays, Map, Set,
// an immerable class), with patches and inverse patches on; replays the patches and undoes them,
// and hashes every intermediate result. Pool mode sends producers, curried producers and an
// Immer instance to workers.
import * as immerNs from 'immer';
import {
  Immer, applyPatches, createDraft, current, finishDraft, freeze, immerable, isDraft, isDraftable, nothing, original, produce, produceWithPatches,
} from 'immer';
import './immer-plugins.mjs';
import { emit, emitShape, mode, openPool, prng, runTimed, sha256, stringify, viaPool } from './common.mjs';

const STEPS = Number(process.env.TP_IMMER_STEPS ?? 3000);

class Account {
  [immerable] = true;
  constructor(owner, balance) { this.owner = owner; this.balance = balance; this.history = []; }
  get rich() { return this.balance > 1000; }
}

function initialState(n) {
  const rnd = prng(7);
  const users = Array.from({ length: n }, (_, i) => ({
    id: i, name: `user${i}`, tags: ['t' + (i % 7)], address: { city: `city${i % 50}`, zip: String(10000 + i) },
    scores: Array.from({ length: 5 }, () => Math.floor(rnd() * 100)),
  }));
  const todos = new Map(Array.from({ length: n }, (_, i) => [`todo${i}`, { title: `task ${i}`, done: i % 3 === 0, owner: i }]));
  const labels = new Set(Array.from({ length: 50 }, (_, i) => `label${i}`));
  const accounts = Array.from({ length: 100 }, (_, i) => new Account(`user${i}`, i * 20));
  return { users, todos, labels, accounts, meta: { version: 0, log: [] } };
}

// curried producers (immer makes the closure)
const rename = produce((draft, id, name) => { draft.users[id].name = name; });
const bump = produce((meta) => { meta.version++; });

/** One random mutation per step, chosen from many kinds. */
function recipeFor(rnd, n) {
  const kind = Math.floor(rnd() * 15);
  const id = Math.floor(rnd() * n);
  const amount = Math.floor(rnd() * 500);
  return (draft) => {
    switch (kind) {
      case 0: draft.users[id].tags.push('x' + amount); break;
      case 1: { const t = draft.todos.get(`todo${id}`); if (t) t.done = !t.done; break; }
      case 2: draft.todos.delete(`todo${id}`); break;
      case 3: draft.todos.set(`new${amount}`, { title: 'new', done: false, owner: id }); break;
      case 4: if (draft.labels.has(`label${id % 60}`)) draft.labels.delete(`label${id % 60}`); else draft.labels.add(`label${id % 60}`); break;
      case 5: draft.users[id].address = { ...draft.users[id].address, city: 'moved' + amount }; break;
      case 6: draft.users[id].scores.sort((a, b) => a - b); break;
      case 7: draft.users[id].scores.splice(1, 2, amount); break;
      case 8: { const a = draft.accounts[id % 100]; a.balance += amount; a.history.push(amount); break; }
      case 9: draft.meta.log.push({ step: amount, orig: original(draft.meta).version, cur: current(draft.meta).log.length }); break;
      case 10: draft.users[id].scores = draft.users[id].scores.filter((s) => s % 2 === 0); break;
      case 11: delete draft.users[id].address.zip; break;
      case 12: draft.users[id].tags.reverse(); draft.accounts.reverse(); break;
      case 13: {
        // iterating drafts of a Map and a Set
        let n = 0;
        for (const [k, t] of draft.todos) { if (n++ > 20) break; if (k.endsWith('7')) t.title += '!'; }
        for (const l of draft.labels) { if (l.endsWith('3')) { draft.labels.delete(l); break; } }
        break;
      }
      default: draft.meta.version += 1;
    }
  };
}

function work(state, steps) {
  const rnd = prng(42);
  const n = state.users.length;
  const patches = [];
  const inverses = [];
  let hash = '';
  let s = state;
  for (let i = 0; i < steps; i++) {
    const [next, p, inv] = produceWithPatches(s, recipeFor(rnd, n));
    patches.push(...p);
    inverses.push(inv);
    if (i % 200 === 0) hash = sha256(hash, stringify(next.meta), stringify(p), stringify(inv), String(next === s));
    s = next;
  }
  const afterLoop = s;
  s = rename(s, 3, 'renamed');
  s = produce(s, (d) => { d.meta = bump(d.meta); });
  s = produce(s, (d) => { d.users.length = Math.min(d.users.length, n - 1); });
  inverses.reverse();
  const replayed = applyPatches(state, patches);
  const undone = applyPatches(afterLoop, inverses.flat());
  // drafts by hand, `nothing`, freezing
  const draft = createDraft(s.meta);
  draft.log = draft.log.slice(0, 3);
  const finished = finishDraft(draft);
  const cleared = produce(s.labels, () => nothing);
  const frozen = [Object.isFrozen(s), Object.isFrozen(s.users[0]), Object.isFrozen(s.accounts[0]), isDraft(s), s.accounts[5].rich];
  const acct = freeze(new Account('z', 5000), true);
  // an Immer instance of its own: no auto-freeze, strict shallow copies
  const loose = new Immer({ autoFreeze: false, useStrictShallowCopy: true });
  const looseNext = loose.produce(s, (d) => { d.accounts[1].balance = -1; d.meta.loose = isDraftable(d.meta); });
  hash = sha256(hash, stringify([Object.isFrozen(looseNext), Object.isFrozen(looseNext.accounts[1]), looseNext.accounts[1].rich, looseNext.meta.loose]));
  hash = sha256(hash, stringify(s), stringify(replayed), stringify(undone), String(stringify(undone) === stringify(state)), stringify([...undone.todos.keys()].length),
    stringify(finished), String(cleared), stringify(frozen), String(acct.rich), stringify(patches.length), stringify(inverses.slice(0, 50)));
  return { hash, steps, patches: patches.length };
}

if (mode === 'local') {
  emitShape(immerNs);
  const state = freeze(initialState(3000), true);
  runTimed('immer', () => work(state, STEPS));
} else {
  const pool = await openPool();
  try {
    const small = Array.from({ length: 8 }, (_, i) => initialState(20 + i));
    // a closure that runs a whole producer session
    await viaPool(pool, 'producer session', (st) => work(st, 150).hash, small);
    // a curried producer made by immer (a closure over immer's state and our recipe)
    await viaPool(pool, 'curried producer', (st) => stringify(rename(st, 1, 'remote').users[1]), small);
    // the curried producer itself as the function sent
    await viaPool(pool, 'curried producer sent directly', bump, small.map((st) => st.meta));
    // an Immer instance with its own settings, captured
    const im = new Immer({ autoFreeze: false });
    await viaPool(pool, 'Immer instance', (st) => {
      const [next, p] = im.produceWithPatches(st, (d) => { d.users[0].tags.push('remote'); d.labels.add('new'); });
      return stringify([Object.isFrozen(next), p, next.users[0]]);
    }, small);
  } finally {
    await pool?.close();
  }
  emit({ name: 'done' });
}
