// acorn workload: parse real JavaScript (a deterministic sample of the .js/.mjs/.cjs files under
// node_modules, listed in the JSON file TP_FILES) and hash the ASTs with locations, comments and
// tokens. Pool mode sends closures over acorn, a Parser instance and an extended Parser class.
import { readFileSync } from 'node:fs';
import * as acorn from 'acorn';
import { emit, emitShape, mode, openPool, runTimed, sha256, stringify, viaPool } from './common.mjs';

const files = JSON.parse(readFileSync(process.env.TP_FILES, 'utf8'));
const sources = files.map((f) => readFileSync(f, 'utf8'));

/** Parse as a module, else as a script; the AST, comments and a token summary, or the error. */
function parseOne(src) {
  for (const sourceType of ['module', 'script']) {
    const comments = [];
    let tokens = 0;
    try {
      const ast = acorn.parse(src, {
        ecmaVersion: 'latest', sourceType, locations: true, ranges: true, allowHashBang: true,
        allowReturnOutsideFunction: sourceType === 'script', onComment: comments, onToken: () => { tokens++; },
      });
      return stringify({ sourceType, ast, comments, tokens });
    } catch (e) {
      if (sourceType === 'script') return stringify({ error: `${e.constructor.name}: ${e.message}`, pos: e.pos, loc: e.loc });
    }
  }
}

/** A parser plugin defined here (a class created in a closure, extending acorn's Parser). */
const countLiterals = (Base) => class extends Base {
  parseLiteral(value) {
    this.literals = (this.literals ?? 0) + 1;
    return super.parseLiteral(value);
  }
};
const CountingParser = acorn.Parser.extend(countLiterals);

if (mode === 'local') {
  emitShape(acorn);
  runTimed('acorn', () => {
    let hash = '';
    for (const src of sources) hash = sha256(hash, parseOne(src));
    // the tokenizer, other ECMAScript versions and options, and a parser plugin, on a subset
    for (const src of sources.slice(0, 25)) {
      const types = [];
      try { for (const t of acorn.tokenizer(src, { ecmaVersion: 'latest', sourceType: 'module' })) types.push(t.type.label); } catch (e) { types.push(e.message); }
      hash = sha256(hash, types.join(' '));
      for (const ecmaVersion of [5, 2015, 2020]) {
        const events = [];
        try {
          const ast = acorn.parse(src, {
            ecmaVersion, sourceType: 'script', allowReserved: ecmaVersion === 5 ? 'never' : true, preserveParens: true, allowHashBang: true,
            allowReturnOutsideFunction: true, sourceFile: 'f.js', locations: true,
            onInsertedSemicolon: (pos) => events.push(['asi', pos]), onTrailingComma: (pos) => events.push(['comma', pos]),
          });
          hash = sha256(hash, stringify(ast), stringify(events));
        } catch (e) {
          hash = sha256(hash, `${e.constructor.name}: ${e.message} ${e.raisedAt}`, acorn.getLineInfo(src, e.pos ?? 0));
        }
      }
      const counting = new CountingParser({ ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true }, src);
      try { counting.parse(); } catch (e) { counting.failed = e.message; }
      hash = sha256(hash, String(counting.literals), String(counting.failed));
    }
    const idChars = [];
    for (let c = 0; c < 0x3000; c += 7) idChars.push(acorn.isIdentifierStart(c, true) ? 1 : 0, acorn.isIdentifierChar(c, true) ? 1 : 0);
    hash = sha256(hash, idChars.join(''), stringify(acorn.parseExpressionAt('a => a ?? b?.c, rest', 0, { ecmaVersion: 'latest' })));
    return { hash, files: files.length, bytes: sources.reduce((n, s) => n + s.length, 0) };
  });
} else {
  const pool = await openPool();
  try {
    const docs = sources.filter((s) => s.length < 20_000).slice(0, 60);
    const opts = { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowHashBang: true, allowReturnOutsideFunction: true };
    // a closure over an import and a local
    await viaPool(pool, 'closure calling acorn.parse', (src) => parseOne(src), docs);
    // a Parser instance (a function-constructor class from the package) and its method
    const parsers = docs.slice(0, 10).map((src) => new acorn.Parser(opts, src));
    await viaPool(pool, 'Parser instance method', (p) => { try { return stringify(p.parse()); } catch (e) { return e.message; } }, parsers);
    // a Parser subclass made by Parser.extend with a plugin class defined here
    await viaPool(pool, 'extended Parser', (src) => {
      const p = new CountingParser(opts, src);
      try { return [stringify(p.parse()), p.literals]; } catch (e) { return e.message; }
    }, docs.slice(0, 20));
    // the static function itself
    await viaPool(pool, 'acorn.parseExpressionAt', (src) => stringify(acorn.parseExpressionAt(src, 0, { ecmaVersion: 'latest' })), ['a + b * c', '(x) => x ** 2', '`t${1}` + /re/g.source', '1n + 2n']);
  } finally {
    await pool?.close();
  }
  emit({ name: 'done' });
}
