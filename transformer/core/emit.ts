// Code generation: instruments the module in place (magic-string edits that never add a line
// inside the original text) and appends the rehydration code: the module's env reader, its
// unit table, the by-reference table and the scope factories the worker uses to rebuild closures.
import MagicString from 'magic-string';
import type { Variable } from './scopes.js';
import { afterDirectives, contains, nodeLists, parentOf, type Node, type TSESTree } from './walk.js';
import type { EnvScope, ModuleModel, Unit } from './model.js';

export interface UnitInfo {
  id: string;
  path: string;
  hash: string;
  /** where the unit starts in the original source (1-based line and column) */
  line: number;
  column: number;
}

interface Tail { pos: number; depth: number; text: string; owner: Node }

const T = '$tp';

/** Marks where a unit's copy starts in the appendix, so the source map can point it home. */
const COPY_MARK = (i: number) => `\u0000${i}\u0000`;

/** Lines in a text (one more than its line breaks). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export interface CopySite { unit: number; line: number; column: number }
/**
 * Text of a unit a copy writes shorter: on the copy's line `line` (0 = its first), `length`
 * characters at column `column` of the unit's text (counted from the copy's start on its first
 * line) become `removed` characters fewer.
 */
export interface CopyCut { line: number; column: number; length: number; removed: number }
/** `text` put in place of the module text from `pos` to `end` (an insertion when they are equal) */
export interface Edit { pos: number; end: number; text: string }

export function nodeDepth(n: Node): number {
  let d = 0;
  for (let p = parentOf(n); p; p = parentOf(p)) d++;
  return d;
}

export class Emitter {
  readonly s: MagicString;
  /** every change made to the module's own text, for the source map (see sourcemap.ts) */
  readonly edits: Edit[] = [];
  private tails: Tail[] = [];
  private registrations = new Map<Node, string[]>();

  constructor(private code: string, private model: ModuleModel, private info: UnitInfo[], private moduleId: string, private relPath: string, private hooks: string, private entryCode: 0 | 1 | 2 | 3) {
    this.s = new MagicString(code);
    this.entry = entryCode === 3 ? 0 : entryCode;
  }
  /** 1 entry, 0 not an entry, 2 unknown (the emitted code says 3 for a non-entry in its own file) */
  private readonly entry: 0 | 1 | 2;

  /** Insertion after `pos` that belongs to `owner` (sorted innermost first when several share a position). */
  private tail(pos: number, text: string, owner: Node, depth: number): void {
    const t = { pos, depth, text, owner };
    this.tails.push(t);
    const at = this.tailsAt.get(pos);
    if (at) at.push(t);
    else this.tailsAt.set(pos, [t]);
  }
  private readonly tailsAt = new Map<number, Tail[]>();

  /**
   * Insertion before `pos` (magic-string's appendLeft), with the length inserted at each position
   * recorded: text inserted at the end of a unit belongs to what follows it (minified code has
   * `function x(){}x.a=1`), and `copy` must leave it out.
   */
  private left(pos: number, text: string): void {
    this.s.appendLeft(pos, text);
    this.leftAt.set(pos, (this.leftAt.get(pos) ?? 0) + text.length);
    this.edits.push({ pos, end: pos, text });
  }
  private readonly leftAt = new Map<number, number>();

  /** Replaces the module text from `start` to `end` (on one line) with `text`. */
  private replace(start: number, end: number, text: string): void {
    if (text) this.s.overwrite(start, end, text);
    else this.s.remove(start, end);
    this.edits.push({ pos: start, end, text });
  }

  // lookups built once (the transform must stay linear on large files)
  private readonly childUnits = new Map<Unit, Unit[]>();
  private readonly envOfArrow = new Map<Node, EnvScope>();
  private readonly envOfScope = new Map<unknown, EnvScope>();
  private readonly cachedEnvOfBlock = new Map<Node, EnvScope>();
  private readonly slotOfVar = new Map<Variable, [EnvScope, number]>();

  private index(): void {
    for (const u of this.model.units) {
      if (!u.parent) continue;
      const list = this.childUnits.get(u.parent);
      if (list) list.push(u);
      else this.childUnits.set(u.parent, [u]);
    }
    for (const e of this.model.envScopes) {
      this.envOfScope.set(e.scope, e);
      if (e.expressionArrow) this.envOfArrow.set(e.expressionArrow, e);
      e.vars.forEach((v, i) => { if (v !== 'this') this.slotOfVar.set(v, [e, i]); });
      if (e.mode === 'cached' && e.declAt !== undefined) {
        const block = e.scope.block as Node;
        if (!this.cachedEnvOfBlock.has(block)) this.cachedEnvOfBlock.set(block, e);
        const body = (block as TSESTree.FunctionLike).body as Node | undefined;
        if (body && !this.cachedEnvOfBlock.has(body)) this.cachedEnvOfBlock.set(body, e);
      }
    }
  }

  /** The reader of `env` as an expression evaluated at source position `pos` (see model step 6). */
  envExpr(env: EnvScope, pos: number): string {
    if (env.mode === 'module') return `${T}$e0`;
    const cachedHere = env.mode === 'cached' && !!env.region && env.region[0] < pos && pos < env.region[1];
    if (cachedHere && env.eager) return `${T}$e${env.index}`;
    // (`||` rather than `??=`: two bytecodes fewer in a closure's probe; a reader is never falsy)
    if (cachedHere) return `(${T}$e${env.index} || (${T}$e${env.index} = ${this.reader(env, true, pos)}))`;
    return `(${this.reader(env, true, pos)})`;
  }

  /** `(i) => { switch (i) { case 0: return a; ... default: return PARENT } }` */
  private reader(env: EnvScope, original: boolean, pos = -1): string {
    const cases = env.slots.map((name, i) => `case ${i}: return ${name};`).join(' ');
    const parent = env.parent!;
    const parentExpr = original ? this.envExpr(parent, pos) : parent.mode === 'module' ? `${T}$e0` : `${T}$e${parent.index}`;
    return `($tp$i) => { switch ($tp$i) { ${cases} default: return ${parentExpr}; } }`;
  }

  run(): string {
    this.index();
    this.dryGuards();
    this.directives();
    this.envDecls();
    this.functionDeclarations();
    this.bindCalls();
    this.privateState();
    this.wrapUnits();
    this.applyTails();
    const header = `import * as ${T} from ${JSON.stringify(this.hooks)}; import { K as ${T}$K, V as ${T}$V } from ${JSON.stringify(this.hooks)}; `;
    this.s.prepend(header);
    this.edits.push({ pos: 0, end: 0, text: header });
    const body = this.s.toString();
    const lineBase = countLines(body); // the appendix starts on the line after the body
    // find (and remove) the copy markers, recording where each copy landed
    const raw = this.appendix();
    const parts: string[] = [];
    let from = 0;
    let line = lineBase;
    let lineStart = 0; // offset in `raw` of the current line
    let removedOnLine = 0;
    for (let at = raw.indexOf('\u0000'); at >= 0; at = raw.indexOf('\u0000', at + 1)) {
      const close = raw.indexOf('\u0000', at + 1);
      // (a NUL in the program's own text is not a marker: a marker is NUL, digits, NUL)
      if (close < 0 || close === at + 1 || !/^\d+$/.test(raw.slice(at + 1, close))) continue;
      for (let nl = raw.indexOf('\n', lineStart); nl >= 0 && nl < at; nl = raw.indexOf('\n', nl + 1)) {
        line++;
        lineStart = nl + 1;
        removedOnLine = 0;
      }
      this.copySites.push({ unit: Number(raw.slice(at + 1, close)), line, column: at - lineStart - removedOnLine });
      removedOnLine += close + 1 - at;
      parts.push(raw.slice(from, at));
      from = close + 1;
      at = close;
    }
    parts.push(raw.slice(from));
    // (the body is already a string: the output is it and the appendix, not magic-string's text joined again)
    return body + '\n' + parts.join('');
  }

  /** where each unit's copy sits in the output (0-based line, column) */
  readonly copySites: CopySite[] = [];

  // ---------- in-place instrumentation ----------

  /** Units identified by a directive: `"tp:<id>"` first in the body, nothing stored at creation. */
  private readonly directiveUnits = new Set<Unit>();

  /**
   * A function whose environment is the module's needs no per-instance data: its ID goes into a
   * directive (`"tp:<id>";`, semantically inert, kept by tsc and esbuild even when minifying),
   * which the pickler finds with Function.prototype.toString. Creating it costs nothing extra.
   */
  private directives(): void {
    for (const u of this.model.units) {
      const moduleHome = u.home === this.model.moduleEnv;
      if (!(moduleHome || u.probe) || !(u.kind === 'arrow' || u.kind === 'function' || u.kind === 'declaration' || u.kind === 'object-method')) continue;
      const fn = u.fn as TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration;
      if (!fn.body) continue;
      // nothing that could hold another directive may come before the body (parameters with functions)
      const paramsEnd = fn.body.range[0];
      if ((this.childUnits.get(u) ?? []).some((o) => o.node.range[1] <= paramsEnd)) continue;
      let directive = `${JSON.stringify('tp:' + this.info[u.index].id)};`;
      // a closure over a function or block scope answers the pickler's probe with its environment
      if (!moduleHome) directive += ` ${this.probeCheck(u, fn)}`;
      this.directiveUnits.add(u);
      if (fn.body.type === 'BlockStatement') {
        this.left(fn.body.range[0] + 1, ` ${directive}`);
      } else {
        const env = this.envOfArrow.get(fn);
        if (env) {
          this.arrowDirective.set(fn, directive); // envDecls opens the block
        } else {
          const arrowTok = this.code.lastIndexOf('=>', fn.body.range[0]);
          this.left(arrowTok + 2, ` { ${directive} return (`);
          this.tail(fn.range[1], ') }', fn, nodeDepth(fn) + 0.25);
        }
      }
    }
  }
  private readonly arrowDirective = new Map<Node, string>();

  /**
   * The probe, first statement of a closure over a function or block scope: in probe mode the
   * closure returns its environment reader. Every call runs its test, so it is the cheapest V8
   * has: the module's flag is `undefined` except while probing, and `!== void 0` compiles to one
   * JumpIfUndefined (a pointer compare when optimized; a bare `if ($tp$p)` is a generic
   * ToBoolean). The rest is kept small because V8 inlines by bytecode size (27 bytes or less:
   * always): no call (an async function, whose return value would be a promise, hands the reader
   * over through `$tp.x` instead), `||` for the reader's cache, a `var` where it can be (no TDZ
   * checks). `(x) => x + k` grows from 6 to 23 bytes (it was 50).
   */
  private probeCheck(u: Unit, fn: TSESTree.FunctionLike): string {
    const reader = this.envExpr(u.home, u.probe!.pos);
    return fn.async ? `if (${T}$p !== void 0) return ${T}.x(${reader});` : `if (${T}$p !== void 0) return ${reader};`;
  }

  private envDecls(): void {
    for (const env of this.model.envScopes) {
      if (env.mode !== 'cached') continue;
      if (env.expressionArrow) {
        const arrow = env.expressionArrow;
        const arrowTok = this.code.lastIndexOf('=>', arrow.body.range[0]);
        const directive = this.arrowDirective.get(arrow) ?? '';
        this.left(arrowTok + 2, ` { ${directive} var ${T}$e${env.index}${this.eagerInit(env)}; return (`);
        this.tail(arrow.range[1], ') }', arrow, nodeDepth(arrow) + 0.25);
      } else {
        // a function scope's cache is a `var` (closures reading it need no TDZ check); a block's
        // must be a `let` (one per block instance: per loop iteration)
        this.left(env.declAt!, ` ${env.scope.type === 'function' ? 'var' : 'let'} ${T}$e${env.index}${this.eagerInit(env)};`);
      }
    }
  }

  /** ` = reader` for a scope whose reader must be made where its cache is declared */
  private eagerInit(env: EnvScope): string {
    return env.eager ? ` = ${this.reader(env, true, env.region![0] + 1)}` : '';
  }

  private functionDeclarations(): void {
    for (const u of this.model.units) {
      if (u.kind !== 'declaration' || u.unsendable || this.directiveUnits.has(u)) continue;
      const fn = u.node as TSESTree.FunctionDeclaration;
      if (!fn.id) continue;
      let container = parentOf(fn)!;
      if (container.type === 'ExportNamedDeclaration' || container.type === 'ExportDefaultDeclaration') container = parentOf(container)!;
      const list = this.registrations.get(container) ?? [];
      list.push(`${T}.f(${fn.id.name}, ${T}$M[${u.index}], ${this.envExpr(u.home, u.site.pos)});`);
      this.registrations.set(container, list);
    }
    for (const [container, list] of this.registrations) {
      if (container.type === 'Program') continue; // emitted in the prologue
      const text = ' ' + list.join(' ');
      if (container.type === 'BlockStatement' || container.type === 'StaticBlock' || container.type === 'TSModuleBlock') {
        const cached = this.cachedEnvOfBlock.get(container);
        const at = cached?.declAt ?? (container.type === 'BlockStatement' ? afterDirectives(container) : this.code.indexOf('{', container.range[0]) + 1);
        this.left(at, text);
      } else if (container.type === 'SwitchCase') {
        this.left(container.consequent[0].range[0], text + ' ');
      }
    }
  }

  /** `f.bind(t, a)` → `$tp.b(f, t, a)`: same call, but the bound function remembers its parts. */
  private bindCalls(): void {
    for (const n of nodeLists(this.model.ast).calls) {
      if (n.optional) continue;
      const callee = n.callee;
      if (callee.type !== 'MemberExpression' || callee.computed || callee.optional || callee.object.type === 'Super') continue;
      if (callee.property.type !== 'Identifier' || callee.property.name !== 'bind' || n.typeArguments) continue;
      if (n.arguments.length === 0) continue;
      // in an optional chain (`a?.f.bind(t)`) the call may be skipped: `$tp.b(a?.f, t)` would not be
      if (parentOf(n)?.type === 'ChainExpression') continue;
      const open = this.code.indexOf('(', callee.property.range[1]);
      // from the `.` (not from the end of the object node, which excludes its parentheses: `(a || b).bind(t)`)
      const dot = this.code.lastIndexOf('.', callee.property.range[0]);
      // `f.bind(t)` → `$tp.b(f, t)`: the `.`, `bind` and `(` replaced one by one, so that no edit
      // spans lines (`f.\nbind(t)`; see sourcemap.ts) and what stands between them stays
      this.left(n.range[0], `${T}.b(`);
      this.replace(dot, dot + 1, ',');
      this.replace(callee.property.range[0], callee.property.range[1], '');
      this.replace(open, open + 1, ' ');
    }
  }

  /**
   * Classes with `#private` instance fields get a static block that registers a reader and a
   * writer of those fields, and a constructor guard so the runtime can create an instance with
   * the fields installed but without running the constructor body.
   */
  private privateState(): void {
    for (const u of this.model.units) {
      if (u.kind !== 'class' && u.kind !== 'class-declaration') continue;
      const cls = u.node as TSESTree.ClassDeclaration | TSESTree.ClassExpression;
      const names = cls.body.body
        .filter((m) => (m.type === 'PropertyDefinition' || m.type === 'AccessorProperty') && !m.static && m.key.type === 'PrivateIdentifier')
        .map((m) => (m as TSESTree.PropertyDefinition).key as TSESTree.PrivateIdentifier)
        .map((k) => '#' + k.name);
      if (!names.length) continue;
      const read = `($tp$o) => [${names.map((k) => `$tp$o.${k}`).join(', ')}]`;
      const write = `($tp$o, $tp$v) => { ${names.map((k, i) => `$tp$o.${k} = $tp$v[${i}];`).join(' ')} }`;
      this.left(cls.body.range[1] - 1, ` static { ${T}.p(this, ${read}, ${write}); } `);
      const ctor = cls.body.body.find((m) => m.type === 'MethodDefinition' && m.kind === 'constructor') as TSESTree.MethodDefinition | undefined;
      if (ctor && ctor.value.body) {
        const guard = cls.superClass ? `if (${T}.R.on) { super(); return; }` : `if (${T}.R.on) return;`;
        this.left(ctor.value.body.range[0] + 1, ` ${guard}`);
      }
    }
  }

  private wrapUnits(): void {
    const objects = new Map<Node, Unit[]>();
    // prefixes outermost first so nested `$tp.f(` stack correctly
    for (const u of this.model.units) {
      const meta = `${T}$M[${u.index}]`;
      if (this.directiveUnits.has(u)) continue;
      if (u.kind === 'object-method') {
        const obj = parentOf(u.node)!;
        const list = objects.get(obj) ?? [];
        list.push(u);
        objects.set(obj, list);
        continue;
      }
      if (u.kind === 'declaration' || this.directiveUnits.has(u)) continue;
      if (u.kind === 'class-declaration') {
        const cls = u.node as TSESTree.ClassDeclaration;
        if (!cls.id) continue;
        const text = u.unsendable ? ` ${T}.u(${cls.id.name}, ${meta});` : ` ${T}.c(${cls.id.name}, ${meta}, ${this.envExpr(u.home, u.site.pos)});`;
        let stmt: Node = cls;
        const p = parentOf(cls)!;
        if (p.type === 'ExportNamedDeclaration' || p.type === 'ExportDefaultDeclaration') stmt = p;
        this.tail(stmt.range[1], text, stmt, nodeDepth(stmt) - 0.5);
        continue;
      }
      const env = u.unsendable ? null : this.envExpr(u.home, u.site.pos);
      const isClass = u.kind === 'class';
      // Registration is written out at each site (two property stores) rather than through a
      // shared hook, so every site stays monomorphic in V8 (see bench/RESULTS.md).
      const store = (target: string) => (env ? `${target}[${T}$K] = ${meta}, ${target}[${T}$V] = ${env}` : `${target}[${T}$K] = ${meta}`);
      const register = (target: string) => (isClass ? `${T}.c(${target}, ${meta}, ${env ?? 'void 0'})` : store(target));
      // Keep the name JavaScript infers from the position (`const f = () => {}` is named 'f'):
      // register through the binding instead of wrapping the function where we can.
      const ctx = namingContext(u);
      if (ctx.how === 'declarator' && parentOf(parentOf(ctx.node)!)?.type === 'ExportNamedDeclaration') {
        // `export const f = () => {}`: an extra declarator would be exported too; register after the statement
        const stmt = parentOf(parentOf(ctx.node)!)!;
        this.tail(stmt.range[1], ` ;${register(ctx.name)};`, stmt, nodeDepth(stmt) - 0.5);
        continue;
      }
      if (ctx.how === 'declarator') {
        // the declarator's own tail: outside a dry guard on its initializer, which ends at the same place
        this.tail(ctx.node.range[1], `, ${T}$_${u.index} = (${register(ctx.name)})`, ctx.node, nodeDepth(ctx.node) - 0.5);
        continue;
      }
      if (ctx.how === 'assign') {
        this.left(ctx.node.range[0], '(');
        this.tail(ctx.node.range[1], `, ${register(ctx.name)}, ${ctx.name})`, ctx.node, nodeDepth(u.node) - 0.5);
        continue;
      }
      // (unsendable units too: registering them keeps their inferred name and makes sending them fail clearly)
      if (ctx.how === 'property') {
        const list = objects.get(ctx.node) ?? [];
        list.push(u);
        objects.set(ctx.node, list);
        continue;
      }
      // a name implied by the position (class field, default value, export default): keep it by
      // creating the function as the value of a one-property object literal with that key
      // (`(0, fn)` otherwise: assigning a bare function to the temporary would name it '$tp$t')
      const [open, close] = ctx.how === 'name' ? [`{ ${JSON.stringify(ctx.name)}: `, ` }[${JSON.stringify(ctx.name)}]`] : ['(0, ', ')'];
      if (isClass) {
        this.left(u.node.range[0], `${T}.c(${open}`);
        this.tail(u.node.range[1], `${close}, ${meta}, ${env ?? 'void 0'})`, u.node, nodeDepth(u.node) - 0.5);
      } else {
        this.left(u.node.range[0], `(${T}$t = ${open}`);
        this.tail(u.node.range[1], `${close}, ${store(`${T}$t`)}, ${T}$t)`, u.node, nodeDepth(u.node) - 0.5);
      }
    }
    for (const [obj, list] of objects) {
      const envOf = (u: Unit) => (u.unsendable ? 'void 0' : this.envExpr(u.home, u.site.pos));
      const plain = list.every((u) => u.kind !== 'object-method' || (u.node as TSESTree.Property).kind === 'init');
      const keys = list.map((u) => this.unitKey(u));
      if (plain && new Set(keys).size === keys.length && !keys.includes('__proto__') && !keys.includes(undefined)) {
        // methods and function-valued properties: tag them right here, no descriptor lookups
        const stores = list.map((u, i) => {
          const at = `${T}$t[${JSON.stringify(keys[i])}]`;
          return u.unsendable ? `${at}[${T}$K] = ${T}$M[${u.index}]` : `${at}[${T}$K] = ${T}$M[${u.index}], ${at}[${T}$V] = ${envOf(u)}`;
        });
        this.left(obj.range[0], `(${T}$t = `);
        this.tail(obj.range[1], `, ${stores.join(', ')}, ${T}$t)`, obj, nodeDepth(obj) - 0.5);
        continue;
      }
      this.left(obj.range[0], `${T}.o(`);
      const args = list.map((u) => `${T}$M[${u.index}], ${envOf(u)}`).join(', ');
      this.tail(obj.range[1], `, ${args})`, obj, nodeDepth(obj) - 0.5);
    }
  }

  /** The property key a unit is stored under on its object literal. */
  private unitKey(u: Unit): string | undefined {
    if (u.kind === 'object-method') {
      const p = u.node as TSESTree.Property;
      return staticKey(p.key, p.computed);
    }
    const ctx = namingContext(u);
    return ctx.how === 'property' ? ctx.key : undefined;
  }

  private applyTails(): void {
    const sorted = [...this.tails].sort((a, b) => a.pos - b.pos || b.depth - a.depth);
    for (const t of sorted) {
      this.s.appendRight(t.pos, t.text);
      this.edits.push({ pos: t.pos, end: t.pos, text: t.text });
    }
  }

  /** Source of a unit as the worker rebuilds it: its instrumented text plus its own trailing insertions. */
  private copy(u: Unit): string {
    const [start, end] = u.node.range;
    // magic-string's slice includes what was inserted right at `start` and `end`: the tails of
    // nodes that end where the unit starts and the prefixes of nodes that start where it ends
    // (guards, wrappers of the next statement). None of it is the unit's: cut it off.
    let text = this.s.slice(start, end);
    const before = (this.tailsAt.get(start) ?? []).reduce((n, t) => n + t.text.length, 0);
    text = text.slice(before, text.length - (this.leftAt.get(end) ?? 0));
    const depth = nodeDepth(u.node);
    const own = (this.tailsAt.get(end) ?? []).filter((t) => contains(u.node, t.owner) && t.depth > depth - 0.5)
      .sort((a, b) => b.depth - a.depth);
    for (const t of own) text += t.text;
    if (u.kind === 'class-declaration' && (u.node as TSESTree.ClassDeclaration).abstract) {
      text = text.replace(/^abstract\s+/, ''); // `abstract class` is not an expression
    }
    text = this.settledReaders(u, text);
    text = COPY_MARK(u.index) + text;
    if (u.kind === 'object-method') {
      const prop = u.node as TSESTree.Property;
      return `${T}.om({ ${text} }, ${JSON.stringify(prop.kind === 'init' ? 'value' : prop.kind)})`;
    }
    return text;
  }

  /** per unit: what its copy writes shorter (see `settledReaders`), for the source map */
  readonly copyCuts = new Map<number, CopyCut[]>();

  /**
   * A copy is made by the factory of its unit's home scope, which has made the readers of that
   * scope and of the scopes around it when it ran (`let $tp$eN = …` at its top): in the copy, a
   * cached reader of one of them, `($tp$eN || ($tp$eN = <reader>))`, is always `$tp$eN` already,
   * and is written so. Only the text the transform inserted is changed: a unit whose own text
   * mentions `$tp$e` anywhere keeps its copy as it is.
   */
  private settledReaders(u: Unit, text: string): string {
    if (u.home.mode === 'module' || !text.includes(`(${T}$e`) || this.code.slice(u.node.range[0], u.node.range[1]).includes(`${T}$e`)) return text;
    const made = new Set<number>();
    for (let e: EnvScope | null = u.home; e && e.mode !== 'module'; e = e.parent) made.add(e.index);
    const parts: string[] = [];
    const cuts: CopyCut[] = [];
    let from = 0;
    let line = 0;
    let lineStart = 0;
    const lazy = /\(\$tp\$e(\d+) \|\| \(\$tp\$e(\d+) = /y;
    for (let at = text.indexOf(`(${T}$e`); at >= 0; at = text.indexOf(`(${T}$e`, at + 1)) {
      lazy.lastIndex = at;
      const m = lazy.exec(text);
      if (!m || m[1] !== m[2] || !made.has(Number(m[1]))) continue;
      // the reader's end: its parentheses balance (it holds only names, `case`s and readers)
      let depth = 0;
      let end = at;
      for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c === 40) depth++;
        else if (c === 41 && --depth === 0) break;
      }
      if (depth !== 0) break;
      for (let nl = text.indexOf('\n', lineStart); nl >= 0 && nl < at; nl = text.indexOf('\n', nl + 1)) {
        line++;
        lineStart = nl + 1;
      }
      const short = `${T}$e${m[1]}`;
      parts.push(text.slice(from, at), short);
      cuts.push({ line, column: at - lineStart, length: end + 1 - at, removed: end + 1 - at - short.length });
      from = end + 1;
      at = end;
    }
    if (!cuts.length) return text;
    parts.push(text.slice(from));
    this.copyCuts.set(u.index, cuts);
    return parts.join('');
  }

  // ---------- top level: never run the entry module's statements in a worker ----------

  private dryGuards(): void {
    const body = this.model.ast.body;
    const first = body.find((st) => !isImportLike(st));
    const top = this.model.units
      .filter((u) => u.kind === 'declaration' && !u.unsendable && !this.directiveUnits.has(u) && (u.node as TSESTree.FunctionDeclaration).id && topLevel(u.node))
      .map((u) => `${T}.f(${declName(u)}, ${T}$M[${u.index}], ${T}$e0);`).join(' ');
    const prologue = `const ${T}$dry = ${T}.dry(import.meta.url, ${this.entryCode}), ${T}$M = ${T}.module(${T}$T(), import.meta.url, ${T}$e0, ${this.entry === 0 ? 'void 0' : `${T}$m0`}, ${T}$x0, ${this.entryCode}, (v) => { ${T}$p = v ? true : void 0; }${this.entry === 1 ? '' : `, ${T}$l0`}); ${top} `;
    if (first) this.left(first.range[0], prologue);
    else {
      this.s.append('\n' + prologue);
      this.edits.push({ pos: this.code.length, end: this.code.length, text: '\n' + prologue });
    }
    for (const st of body) this.guardStatement(st);
  }

  private guardStatement(st: TSESTree.ProgramStatement): void {
    switch (st.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'FunctionDeclaration':
      case 'EmptyStatement':
      case 'TSInterfaceDeclaration':
      case 'TSTypeAliasDeclaration':
      case 'TSDeclareFunction':
      case 'TSEnumDeclaration':
      case 'TSModuleDeclaration':
      case 'TSImportEqualsDeclaration':
      case 'TSExportAssignment':
      case 'TSNamespaceExportDeclaration':
        return;
      case 'ExportNamedDeclaration':
        if (st.declaration) this.guardDeclaration(st.declaration);
        return;
      case 'ExportDefaultDeclaration': {
        const d = st.declaration;
        if (d.type === 'FunctionDeclaration' || d.type === 'TSDeclareFunction' || d.type === 'TSInterfaceDeclaration') return;
        if (d.type === 'ClassDeclaration') { this.guardClass(d); return; }
        if (!isPure(d as Node)) this.guardExpr(d as Node, 'void 0');
        return;
      }
      case 'VariableDeclaration':
      case 'ClassDeclaration':
        this.guardDeclaration(st);
        return;
      case 'ExpressionStatement':
        if (st.directive) return;
        this.left(st.range[0], `if (!${T}$dry) `);
        return;
      default:
        this.left(st.range[0], `if (!${T}$dry) `);
    }
  }

  private guardDeclaration(d: Node): void {
    if (d.type === 'VariableDeclaration') {
      for (const decl of d.declarations) {
        if (!decl.init || isPure(decl.init)) continue;
        const init = unwrapTS(decl.init);
        if (init.type === 'ClassExpression' && decl.id.type === 'Identifier') {
          // `const C = class {}`: guard what the class runs, not the class itself, so that it keeps
          // the name 'C' and its binding is a class (its registration follows) even in a dry module
          this.guardClass(init);
          continue;
        }
        const using = d.kind === 'using' || d.kind === 'await using';
        this.guardExpr(decl.init, using ? 'null' : decl.id.type === 'Identifier' ? 'void 0' : `${T}.DRY`);
      }
    } else if (d.type === 'ClassDeclaration') {
      this.guardClass(d);
    }
  }

  private guardExpr(e: Node, dryValue: string, parenthesize = false): void {
    this.left(e.range[0], `${parenthesize ? '(' : ''}${T}$dry ? ${dryValue} : (`);
    // -0.75: a dry guard encloses the registration wrapper of a unit that is the guarded expression itself
    this.tail(e.range[1], parenthesize ? '))' : ')', e, nodeDepth(e) - 0.75);
  }

  private guardClass(c: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void {
    // `extends` takes a left-hand-side expression: the guard needs its own parentheses. Identifiers
    // too: a top-level `const Base = mixin(X)` is undefined in a dry module, and `extends undefined` throws.
    if (c.superClass) this.guardExpr(c.superClass, 'null', true);
    for (const m of c.body.body) {
      if ('computed' in m && m.computed && 'key' in m && !isPure(m.key)) this.guardExpr(m.key, '""');
      if ((m.type === 'PropertyDefinition' || m.type === 'AccessorProperty') && m.static && m.value && !isPure(m.value)) this.guardExpr(m.value, 'void 0');
      if (m.type === 'StaticBlock') {
        const open = this.code.indexOf('{', m.range[0]) + 1;
        this.left(open, ` if (!${T}$dry) {`);
        this.tail(m.range[1] - 1, '} ', m, nodeDepth(m) + 0.5);
      }
    }
  }

  // ---------- appendix: reader, tables, factories ----------

  private appendix(): string {
    const { model } = this;
    const moduleEnv = model.moduleEnv;
    const reader0 = `function ${T}$e0($tp$i) { switch ($tp$i) { ${moduleEnv.slots.map((n, i) => `case ${i}: return ${n};`).join(' ')} } }`;
    const byRef = model.units.filter((u) => u.refName !== undefined && !u.unsendable);
    const x0 = `function ${T}$x0(j) { switch (j) { ${byRef.map((u) => `case ${u.index}: return ${u.refName};`).join(' ')} } }`;
    // a JSON string (the runtime parses it): one token for tsc and esbuild instead of a large literal
    const table = `function ${T}$T() { return ${quoteJson(JSON.stringify(this.table()))}; }`;
    // the shadow tree rebuilds functions of a module loaded dry (the entry module, in a worker); the
    // live tree, functions of a module the thread runs: bound to its real module scope, so their
    // module state is the thread's own. Known entries need only the first, known non-entries only
    // the second; tsc output (entry unknown) carries both.
    const shadow = this.entry !== 0 ? `${this.factory(moduleEnv, false)}\n` : '';
    const live = this.entry !== 1 ? `${this.factory(moduleEnv, true)}\n` : '';
    return `;var ${T}$t, ${T}$p;${reader0}\n${table}\n${x0}\n${shadow}${live}`;
  }

  private table(): unknown {
    const units = this.model.units.map((u) => {
      const i = this.info[u.index];
      const uses: [number, number[]][] = [];
      const byEnv = new Map<EnvScope, number[]>();
      for (const v of u.captures) {
        const [env, slot] = this.slotOfVar.get(v)!;
        const list = byEnv.get(env) ?? [];
        list.push(slot);
        byEnv.set(env, list);
      }
      for (const s of u.thisScopes) {
        const env = this.envOfScope.get(s)!;
        const list = byEnv.get(env) ?? [];
        list.push(env.vars.indexOf('this'));
        byEnv.set(env, list);
      }
      for (const [env, slots] of byEnv) uses.push([env.index, slots.sort((a, b) => a - b)]);
      return {
        id: i.id, path: i.path, kind: u.kind, line: i.line, col: i.column, home: u.home.index, hash: i.hash,
        decl: u.refName !== undefined ? 1 : 0,
        members: u.kind === 'class' || u.kind === 'class-declaration' ? classMembers(u.node as TSESTree.ClassDeclaration) : undefined,
        ...unitKeyInfo(u),
        uses,
        captures: [...u.captures].map((v: Variable) => v.name).concat(u.thisScopes.size ? ['this'] : []),
        unsendable: u.unsendable,
        field: u.unsendable ? instanceFieldKey(u) : undefined,
      };
    });
    const scopes = this.model.envScopes.map((e) => [e.parent ? e.parent.index : -1, e.slots]);
    return { module: this.moduleId, file: this.relPath, units, scopes };
  }

  /**
   * A scope factory and, nested in it, its children's. The module's comes in two trees: `$tp$m0`
   * declares `let` shadows of the captured module-level bindings (set from the payload), `$tp$l0`
   * (`live`) has none, so the copies in it close over the module's real bindings; units a binding
   * holds are never rebuilt from it (they travel by reference).
   */
  private factory(env: EnvScope, live: boolean): string {
    const isModule = env.mode === 'module';
    const name = isModule ? `${T}$${live ? 'l' : 'm'}0` : `${T}$s${env.index}`;
    const shadow = live && isModule ? [] : env.slots.filter((n) => n !== 'this' && n !== 'arguments');
    const lets = shadow.length ? `let ${shadow.join(', ')};` : '';
    const readerDecl = isModule
      ? (live ? '' : `function ${T}$e0($tp$i) { switch ($tp$i) { ${env.slots.map((n, i) => `case ${i}: return ${n};`).join(' ')} } }`)
      : `let ${T}$e${env.index} = ${this.reader(env, false)};`;
    const setter = live && isModule ? '() => {}' : `($tp$i, $tp$v) => { switch ($tp$i) { ${env.slots.map((n, i) => (n === 'this' || n === 'arguments' ? '' : `case ${i}: ${n} = $tp$v; break;`)).join(' ')} } }`;
    const units = env.units.filter((u) => !u.unsendable && !(live && isModule && u.refName !== undefined));
    const creator = `($tp$j) => { switch ($tp$j) { ${units.map((u) => `case ${u.index}: return ${this.copyOnce(u)};`).join('\n')} } }`;
    const children = `($tp$n) => { switch ($tp$n) { ${env.children.map((c) => `case ${c.index}: return ${T}$s${c.index};`).join(' ')} } }`;
    const inner = env.children.map((c) => this.factory(c, live)).join('\n');
    const dry = isModule && !live ? `const ${T}$dry = false; ` : '';
    return `function ${name}() { ${dry}${lets} ${readerDecl}\nreturn [${T}$e${env.index}, ${setter}, ${creator}, ${children}];\n${inner} }`;
  }

  /** `copy(u)`, computed once per unit (the two module trees hold the same copies). */
  private copyOnce(u: Unit): string {
    let text = this.copies.get(u);
    if (text === undefined) this.copies.set(u, (text = this.copy(u)));
    return text;
  }
  private readonly copies = new Map<Unit, string>();

}

type NamingContext =
  | { how: 'declarator' | 'assign'; name: string; node: Node }
  | { how: 'property'; key: string; node: Node }
  | { how: 'name'; name: string }
  | { how: 'plain' };

/** Where an anonymous function gets its `name` from its syntactic position (NamedEvaluation). */
export function namingContext(u: Unit): NamingContext {
  if (u.kind !== 'arrow' && u.kind !== 'function' && u.kind !== 'class') return { how: 'plain' };
  const n = u.node as TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.ClassExpression;
  if ('id' in n && n.id) return { how: 'plain' };
  let child: Node = n;
  let p = parentOf(n);
  while (p && (p.type === 'TSAsExpression' || p.type === 'TSSatisfiesExpression' || p.type === 'TSNonNullExpression' || p.type === 'TSTypeAssertion')) {
    child = p;
    p = parentOf(p);
  }
  if (!p) return { how: 'plain' };
  switch (p.type) {
    case 'VariableDeclarator':
      if (p.init === child && p.id.type === 'Identifier') return { how: 'declarator', name: p.id.name, node: p };
      return { how: 'plain' };
    case 'AssignmentExpression':
      if (p.right !== child || p.left.type !== 'Identifier') return { how: 'plain' };
      return p.operator === '=' ? { how: 'assign', name: p.left.name, node: p } : p.operator.length === 3 ? { how: 'name', name: p.left.name } : { how: 'plain' };
    case 'Property': {
      if (p.value !== child || p.method || p.kind !== 'init' || p.shorthand) return { how: 'plain' };
      const key = staticKey(p.key, p.computed);
      if (key === undefined) return { how: 'plain' };
      return parentOf(p)?.type === 'ObjectExpression' ? { how: 'property', key, node: parentOf(p)! } : { how: 'name', name: key };
    }
    case 'PropertyDefinition':
    case 'AccessorProperty': {
      if (p.value !== child) return { how: 'plain' };
      const key = p.key.type === 'PrivateIdentifier' ? '#' + p.key.name : staticKey(p.key, p.computed);
      return key === undefined ? { how: 'plain' } : { how: 'name', name: key };
    }
    case 'AssignmentPattern':
      return p.right === child && p.left.type === 'Identifier' ? { how: 'name', name: p.left.name } : { how: 'plain' };
    case 'ExportDefaultDeclaration':
      return { how: 'name', name: 'default' };
    default:
      return { how: 'plain' };
  }
}

/** JSON text as a single-quoted string literal: its many `"` need no escaping there. */
function quoteJson(json: string): string {
  // (string replacements, not one regular expression with a callback: the table is most of a module's appendix)
  let text = json.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
  if (text.includes('\u2028')) text = text.replaceAll('\u2028', '\\u2028');
  if (text.includes('\u2029')) text = text.replaceAll('\u2029', '\\u2029');
  return `'${text}'`;
}

function unwrapTS(e: Node): Node {
  while (e.type === 'TSAsExpression' || e.type === 'TSSatisfiesExpression' || e.type === 'TSNonNullExpression' || e.type === 'TSTypeAssertion') e = e.expression;
  return e;
}

function isImportLike(st: Node): boolean {
  return st.type === 'ImportDeclaration' || (st.type === 'ExpressionStatement' && !!st.directive) || st.type === 'TSImportEqualsDeclaration';
}

function topLevel(n: Node): boolean {
  let p = parentOf(n);
  if (p && (p.type === 'ExportNamedDeclaration' || p.type === 'ExportDefaultDeclaration')) p = parentOf(p);
  return p?.type === 'Program';
}

function declName(u: Unit): string {
  return (u.node as TSESTree.FunctionDeclaration).id!.name;
}


function staticKey(key: Node, computed: boolean): string | undefined {
  if (computed && key.type !== 'Literal') return undefined;
  if (key.type === 'Identifier' && !computed) return key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/** The key of the instance field whose initializer is this unit (`inc = () => …`), if it is one. */
function instanceFieldKey(u: Unit): string | undefined {
  const p = parentOf(u.node);
  if (!p || p.type !== 'PropertyDefinition' || p.value !== u.node || p.static) return undefined;
  return staticKey(p.key, p.computed);
}

/** Table fields that locate a unit on its object (`key`, `pkind`) or give its inferred `name`. */
function unitKeyInfo(u: Unit): { key?: string; pkind?: string; name?: string } {
  if (u.kind === 'object-method') {
    const p = u.node as TSESTree.Property;
    return { key: staticKey(p.key, p.computed), pkind: p.kind === 'init' ? 'value' : p.kind };
  }
  const ctx = namingContext(u);
  if (ctx.how === 'property') return { key: ctx.key, pkind: 'value' };
  if (ctx.how === 'name') return { name: ctx.name };
  return {};
}

function classMembers(c: TSESTree.ClassDeclaration | TSESTree.ClassExpression): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const m of c.body.body) {
    if (m.type !== 'MethodDefinition' || m.kind === 'constructor') continue;
    const key = staticKey(m.key, m.computed);
    if (key === undefined) continue;
    out.push([key, m.kind, m.static ? 1 : 0]);
  }
  return out;
}

/** Expressions that cannot run user code when evaluated. */
export function isPure(e: Node): boolean {
  switch (e.type) {
    case 'Literal':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'Identifier':
      return true;
    case 'TemplateLiteral':
      return e.expressions.length === 0;
    case 'UnaryExpression':
      return e.operator !== 'delete' && isPure(e.argument);
    case 'ArrayExpression':
      return e.elements.every((x) => x === null || (x.type !== 'SpreadElement' && isPure(x)));
    case 'ObjectExpression':
      return e.properties.every((p) => p.type === 'Property' && (!p.computed || p.key.type === 'Literal') && isPure(p.value as Node));
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
      return isPure(e.expression);
    default:
      return false;
  }
}
