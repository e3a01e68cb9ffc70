// Parsing and AST plumbing: parse TS/JS with typescript-estree, attach parent links, walk nodes.
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

export type Node = TSESTree.Node;
export type { TSESTree };

const parents = new WeakMap<Node, Node | null>();

export function parseModule(code: string, fileName: string): TSESTree.Program {
  const ast = parse(code, {
    range: true,
    loc: true,
    comment: true,
    jsx: /\.[jt]sx$/.test(fileName),
    errorOnUnknownASTType: false,
  });
  setParents(ast);
  return ast;
}

function setParents(root: Node): void {
  parents.set(root, null);
  walk(root, (node, parent) => {
    if (parent) parents.set(node, parent);
  });
}

export function parentOf(node: Node): Node | null {
  return parents.get(node) ?? null;
}

export function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of visitorKeys[node.type] ?? []) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof (v as Node).type === 'string') out.push(v as Node);
    } else if (value && typeof (value as Node).type === 'string') {
      out.push(value as Node);
    }
  }
  return out;
}

/** Depth-first pre-order walk; return false from `enter` to skip a node's children. */
export function walk(root: Node, enter: (node: Node, parent: Node | null) => boolean | void): void {
  const stack: [Node, Node | null][] = [[root, null]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    if (enter(node, parent) === false) continue;
    const kids = childrenOf(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], node]);
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
