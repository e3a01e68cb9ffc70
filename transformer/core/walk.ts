// Parsing and AST plumbing: parse TypeScript with typescript-estree and JavaScript with meriyah
// (both ESTree with ranges; line/column from a line index), attach parent links (and, in the same
// pass, list the few node kinds later steps look for).
import { createRequire } from 'node:module';
import { parseModule as meriyahModule, parseScript, type Options as MeriyahOptions } from 'meriyah';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

export type Node = TSESTree.Node;
export type { TSESTree };

/** Nodes found while linking parents, in pre-order (source order). */
export interface NodeLists {
  /** `this`, `super`, `new.target` */
  thisLike: Node[];
  /** every call expression */
  calls: TSESTree.CallExpression[];
  /** every `#name` (member keys, `o.#x`, `#x in o`) */
  privateNames: TSESTree.PrivateIdentifier[];
  /** every node that may be a unit (functions, classes, object properties): the model picks them */
  unitCandidates: Node[];
}

const lists = new WeakMap<Node, NodeLists>();

/** The language of a module's text: TypeScript (typescript-estree) or JavaScript (meriyah). */
export type Language = 'ts' | 'js';

export function parseModule(code: string, fileName: string, language: Language = 'ts', jsx = /\.[jt]sx$/.test(fileName)): TSESTree.Program {
  // JavaScript that meriyah is not asked to parse (JSX, decorators) goes to typescript-estree, which reads it too
  const js = language === 'js' ? parseJs(code) : undefined;
  const ast = js ?? parseTs(code, jsx);
  if (js) keysOf.set(ast, jsKeys);
  lists.set(ast, link(ast, !!js));
  return ast;
}

// typescript-estree loads the `typescript` package (9 MB of JavaScript): only when TS is parsed
let tsEstree: typeof import('@typescript-eslint/typescript-estree') | undefined;

function parseTs(code: string, jsx: boolean): TSESTree.Program {
  tsEstree ??= createRequire(import.meta.url)('@typescript-eslint/typescript-estree') as typeof import('@typescript-eslint/typescript-estree');
  return tsEstree.parse(code, {
    range: true,
    loc: true,
    // comments are only read for `/** @teleport name */` tags: skip collecting them when there are none
    comment: code.includes('@teleport'),
    jsx,
    errorOnUnknownASTType: false,
  });
}

/** meriyah's ESTree, or undefined when it cannot parse the text (the caller falls back to typescript-estree). */
function parseJs(code: string): TSESTree.Program | undefined {
  const comments: TSESTree.Comment[] | undefined = code.includes('@teleport') ? [] : undefined;
  const options: MeriyahOptions = {
    // no `loc`: line/column objects for every node cost a quarter of the parse; positions are
    // computed from offsets when needed (`LineIndex`). `raw` for literals, as
    // typescript-estree give them. Decorators and JSX (`next`, `jsx`) stay off: those trees go to
    // typescript-estree, whose scope analysis reads them.
    ranges: true, raw: true,
    onComment: comments && ((type, value, start, end) => {
      comments.push({ type: type === 'MultiLine' ? 'Block' : 'Line', value, range: [start, end] } as TSESTree.Comment);
    }),
  };
  let ast: TSESTree.Program;
  try {
    ast = meriyahModule(code, options) as unknown as TSESTree.Program;
  } catch {
    // a script (CommonJS, which may `return` at top level or use sloppy-mode syntax)?
    try {
      if (comments) comments.length = 0;
      ast = parseScript(code, { ...options, globalReturn: true, webcompat: true }) as unknown as TSESTree.Program;
    } catch {
      return undefined;
    }
  }
  if (comments) ast.comments = comments;
  return ast;
}

/** The node lists recorded when `ast` was parsed. */
export function nodeLists(ast: TSESTree.Program): NodeLists {
  return lists.get(ast)!;
}

type Linked = { type: string; parent?: Node | null };

const NONE: never[] = [];

/** Child keys of JavaScript nodes: typescript-estree's, without the TypeScript-only ones meriyah never sets. */
const TS_ONLY = new Set(['decorators', 'typeAnnotation', 'typeParameters', 'typeArguments', 'returnType', 'implements', 'superTypeArguments']);
const jsKeys: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(visitorKeys).map(([type, keys]) => [type, (keys as readonly string[]).filter((k) => !TS_ONLY.has(k))]),
);
const keysOf = new WeakMap<Node, Record<string, readonly string[]>>();

/** Start offsets of the lines of a text: 1-based line and 0-based column of an offset. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] };
  }
}

/** Sets every node's `parent` (one iterative pre-order pass, no per-node allocation). */
function link(root: Node, fromJs: boolean): NodeLists {
  const out: NodeLists = { thisLike: [], calls: [], privateNames: [], unitCandidates: [] };
  (root as unknown as Linked).parent = null;
  const stack: Node[] = [root];
  const keys = fromJs ? jsKeys : visitorKeys;
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'ThisExpression':
      case 'Super':
        out.thisLike.push(node);
        break;
      case 'MetaProperty':
        if (node.meta.name === 'new') out.thisLike.push(node);
        break;
      case 'CallExpression':
        out.calls.push(node);
        break;
      case 'PrivateIdentifier':
        out.privateNames.push(node);
        break;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
      case 'ClassExpression':
      case 'Property':
        out.unitCandidates.push(node);
        break;
      default:
        break;
    }
    pushChildren(node, stack, keys);
  }
  return out;
}

const withLists = new WeakSet<Node>();

/**
 * For scope-manager reading meriyah's ESTree (the core's own scope analysis does not need them):
 * adds the empty lists that typescript-estree always has and scope-manager reads, `decorators` of
 * classes, members and parameters and `implements` of classes. (Not while linking: a property
 * added to some identifiers and not others gives them another shape everywhere.)
 */
export function addTsLists(ast: TSESTree.Program): void {
  if (!isJsTree(ast) || withLists.has(ast)) return;
  withLists.add(ast);
  const stack: Node[] = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    addTsListsTo(node);
    const keys = jsKeys[node.type] ?? NONE;
    for (const k of keys) {
      const value = (node as unknown as Record<string, unknown>)[k];
      if (Array.isArray(value)) { for (const v of value) if (v && typeof v.type === 'string') stack.push(v as Node); }
      else if (value && typeof (value as Node).type === 'string') stack.push(value as Node);
    }
  }
}

function addTsListsTo(node: Node): void {
  const n = node as unknown as Record<string, unknown>;
  switch (node.type) {
    case 'ClassDeclaration':
    case 'ClassExpression':
      n.decorators = NONE;
      n.implements = NONE;
      break;
    case 'MethodDefinition':
    case 'PropertyDefinition':
    case 'AccessorProperty':
      n.decorators = NONE;
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      for (const p of node.params) (p as unknown as Record<string, unknown>).decorators = NONE;
      break;
    default:
      break;
  }
}

/** Pushes a node's children in reverse (so they pop in source order), linking them to it. */
function pushChildren(node: Node, stack: Node[], table: Record<string, readonly string[] | undefined>): void {
  const keys = table[node.type];
  if (!keys) return;
  for (let k = keys.length - 1; k >= 0; k--) {
    const value = (node as unknown as Record<string, unknown>)[keys[k]];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const v = value[i] as Linked | null;
        if (!v || typeof v.type !== 'string') continue;
        v.parent = node;
        stack.push(v as unknown as Node);
      }
    } else if (value && typeof (value as Node).type === 'string') {
      (value as unknown as Linked).parent = node;
      stack.push(value as Node);
    }
  }
}

export function parentOf(node: Node): Node | null {
  return (node as unknown as Linked).parent ?? null;
}

/** Whether meriyah parsed `ast` (plain JavaScript: no TypeScript, JSX or decorators). */
export function isJsTree(ast: TSESTree.Program): boolean {
  return keysOf.has(ast);
}

/** The child-key table for the nodes of `ast` (smaller for JavaScript trees). */
export function keysFor(ast: TSESTree.Program): Record<string, readonly string[] | undefined> {
  return keysOf.get(ast) ?? visitorKeys;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

export function isFunctionNode(n: Node): n is TSESTree.FunctionLike & (TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration) {
  return n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration';
}

/** Position just after a block's opening brace and its directive prologue ("use strict" etc.). */
export function afterDirectives(body: TSESTree.BlockStatement): number {
  let at = body.range[0] + 1;
  for (const st of body.body) {
    if (st.type === 'ExpressionStatement' && st.directive) at = st.range[1];
    else break;
  }
  return at;
}
