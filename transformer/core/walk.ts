// Parsing and AST plumbing: parse TS/JS with typescript-estree, attach parent links (and, in the
// same pass, list the few node kinds later steps look for), walk nodes.
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

export type Node = TSESTree.Node;
export type { TSESTree };

/** Nodes found while linking parents, in pre-order (source order). */
export interface NodeLists {
  /** `this`, `super`, `new.target` */
  thisLike: Node[];
  /** every call expression */
  calls: TSESTree.CallExpression[];
}

const lists = new WeakMap<Node, NodeLists>();

export function parseModule(code: string, fileName: string): TSESTree.Program {
  const ast = parse(code, {
    range: true,
    loc: true,
    // comments are only read for `/** @teleport name */` tags: skip collecting them when there are none
    comment: code.includes('@teleport'),
    jsx: /\.[jt]sx$/.test(fileName),
    errorOnUnknownASTType: false,
  });
  lists.set(ast, link(ast));
  return ast;
}

/** The node lists recorded when `ast` was parsed. */
export function nodeLists(ast: TSESTree.Program): NodeLists {
  return lists.get(ast)!;
}

type Linked = { type: string; parent?: Node | null };

/** Sets every node's `parent` (one iterative pre-order pass, no per-node allocation). */
function link(root: Node): NodeLists {
  const out: NodeLists = { thisLike: [], calls: [] };
  (root as unknown as Linked).parent = null;
  const stack: Node[] = [root];
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
      default:
        break;
    }
    pushChildren(node, stack, true);
  }
  return out;
}

/** Pushes a node's children in reverse (so they pop in source order), linking them to it if asked. */
function pushChildren(node: Node, stack: Node[], link: boolean): void {
  const keys = visitorKeys[node.type];
  if (!keys) return;
  for (let k = keys.length - 1; k >= 0; k--) {
    const value = (node as unknown as Record<string, unknown>)[keys[k]];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const v = value[i] as Linked | null;
        if (!v || typeof v.type !== 'string') continue;
        if (link) v.parent = node;
        stack.push(v as unknown as Node);
      }
    } else if (value && typeof (value as Node).type === 'string') {
      if (link) (value as unknown as Linked).parent = node;
      stack.push(value as Node);
    }
  }
}

export function parentOf(node: Node): Node | null {
  return (node as unknown as Linked).parent ?? null;
}

/** Depth-first pre-order walk; return false from `enter` to skip a node's children. */
export function walk(root: Node, enter: (node: Node, parent: Node | null) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (enter(node, node === root ? null : parentOf(node)) !== false) pushChildren(node, stack, false);
  }
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
