// Stable IDs: a SHA-256 (base32, 16 chars) of the project-relative path plus a semantic path
// built from names (declarations, classes, members, properties, callees + argument index),
// never byte offsets; an ordinal separates same-path siblings. `/** @teleport name */` overrides.
// Expressions in a path (callees, assigned members, computed keys) are printed from the AST, not
// copied from the text, so that TypeScript and the JavaScript a compiler prints from it (other
// quotes and spacing, no type assertions) give the same path.
import { parentOf, type Node, type TSESTree } from './walk.js';
import type { Unit } from './model.js';

/**
 * The name an identifier had in the original source: a compiler may rename a binding (esbuild
 * turns `var Legacy = function Legacy() {}` into `… function Legacy2() {}`), and its source
 * map then records the original name.
 */
export type NameOf = (id: TSESTree.Identifier) => string;
const ownName: NameOf = (id) => id.name;

function keyName(key: Node, computed: boolean, nameOf: NameOf): string {
  if (!computed) {
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'PrivateIdentifier') return '#' + key.name;
    if (key.type === 'Literal') return String(key.value);
  }
  return '[' + shorten(printed(key, nameOf)) + ']';
}

/** An expression printed canonically: names, members, calls, literals; anything else is `…`. */
export function printed(n: Node, nameOf: NameOf = ownName): string {
  const p = (x: Node) => printed(x, nameOf);
  switch (n.type) {
    case 'Identifier':
      return nameOf(n);
    case 'PrivateIdentifier':
      return '#' + n.name;
    case 'ThisExpression':
      return 'this';
    case 'Super':
      return 'super';
    case 'Literal':
      if ('regex' in n && n.regex) return `/${n.regex.pattern}/${n.regex.flags}`;
      if ('bigint' in n && n.bigint) return n.bigint + 'n';
      return typeof n.value === 'string' ? JSON.stringify(n.value) : String(n.value);
    case 'TemplateLiteral':
      return n.expressions.length === 0 ? JSON.stringify(n.quasis[0]?.value.cooked ?? '') : '…';
    case 'MemberExpression':
      return p(n.object) + (n.optional ? '?.' : '') + (n.computed ? '[' + p(n.property) + ']' : (n.optional ? '' : '.') + p(n.property));
    case 'ChainExpression':
      return p(n.expression);
    case 'CallExpression':
      return p(n.callee) + (n.optional ? '?.' : '') + '(' + n.arguments.map(p).join(', ') + ')';
    case 'NewExpression':
      return 'new ' + p(n.callee) + '(' + n.arguments.map(p).join(', ') + ')';
    case 'ArrayExpression':
      return '[' + n.elements.map((e) => (e ? p(e) : '')).join(', ') + ']';
    case 'SpreadElement':
      return '...' + p(n.argument);
    case 'UnaryExpression':
      return n.operator + (/^[a-z]/.test(n.operator) ? ' ' : '') + p(n.argument);
    case 'AwaitExpression':
      return 'await ' + p(n.argument);
    case 'MetaProperty':
      return n.meta.name + '.' + n.property.name;
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
    case 'TSInstantiationExpression':
      return p(n.expression);
    default:
      return '…';
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? flat.slice(0, 40) + '…' : flat;
}

/** The name a node contributes to the semantic path, or null when it contributes none. */
function segment(node: Node, nameOf: NameOf): string | null {
  const p = parentOf(node);
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return node.id ? nameOf(node.id) : 'default';
    case 'MethodDefinition':
    case 'TSAbstractMethodDefinition': {
      const prefix = (node.static ? 'static ' : '') + (node.kind === 'get' || node.kind === 'set' ? node.kind + ' ' : '');
      return prefix + keyName(node.key, node.computed, nameOf);
    }
    case 'PropertyDefinition':
    case 'AccessorProperty':
      return (node.static ? 'static ' : '') + keyName(node.key, node.computed, nameOf);
    case 'Property':
      if (node.method || node.kind !== 'init') return (node.kind === 'init' ? '' : node.kind + ' ') + keyName(node.key, node.computed, nameOf);
      return null;
    case 'StaticBlock':
      return 'static{}';
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'ClassExpression': {
      if ((node.type === 'FunctionExpression' || node.type === 'ClassExpression') && node.id) return nameOf(node.id);
      if (!p) return '=>';
      return contextName(node, p, nameOf) ?? (node.type === 'ClassExpression' ? 'class' : node.type === 'FunctionExpression' ? 'function' : '=>');
    }
    default:
      return null;
  }
}

function contextName(node: Node, p: Node, nameOf: NameOf): string | null {
  switch (p.type) {
    case 'VariableDeclarator':
      return p.init === node && p.id.type === 'Identifier' ? nameOf(p.id) : null;
    case 'AssignmentExpression':
      return p.right === node ? shorten(printed(p.left, nameOf)) : null;
    case 'AssignmentPattern':
      return p.right === node && p.left.type === 'Identifier' ? nameOf(p.left) + '=' : null;
    case 'Property':
      return p.value === node ? keyName(p.key, p.computed, nameOf) : null;
    case 'PropertyDefinition':
      return null; // the member itself is a segment
    case 'CallExpression':
    case 'NewExpression': {
      const i = p.arguments.indexOf(node as TSESTree.CallExpressionArgument);
      if (i < 0) return null;
      return shorten(printed(p.callee, nameOf)) + '(' + i + ')';
    }
    case 'ExportDefaultDeclaration':
      return 'default';
    case 'ReturnStatement':
      return 'return';
    default:
      return null;
  }
}

/** Semantic path of a unit: segments of its named ancestors, outermost first. */
export function semanticPath(unit: Unit, nameOf: NameOf = ownName): string {
  const parts: string[] = [];
  for (let n: Node | null = unit.node; n && n.type !== 'Program'; n = parentOf(n)) {
    const s = segment(n, nameOf);
    if (s !== null) parts.push(s);
  }
  return parts.reverse().join('/');
}

/** The unit and the statements/members that declare it: where a `/** @teleport name *\/` tag may sit. */
function declaringNodes(unit: Unit): Node[] {
  const candidates: Node[] = [unit.node];
  for (let n = parentOf(unit.node); n; n = parentOf(n)) {
    if (['VariableDeclarator', 'VariableDeclaration', 'ExportNamedDeclaration', 'ExportDefaultDeclaration', 'MethodDefinition', 'PropertyDefinition', 'Property'].includes(n.type)) candidates.push(n);
    else break;
  }
  return candidates;
}

const TAG = /@teleport\s+([A-Za-z0-9_.:\/-]+)/;

/** `/** @teleport name *\/` on the unit or on the statement/member that declares it. */
export function explicitName(unit: Unit, comments: TSESTree.Comment[], code: string): string | null {
  const candidates = declaringNodes(unit);
  for (const c of comments) {
    if (c.type !== 'Block' || !c.value.startsWith('*')) continue;
    const m = TAG.exec(c.value);
    if (!m) continue;
    for (const n of candidates) {
      if (c.range[1] <= n.range[0] && /^\s*$/.test(code.slice(c.range[1], n.range[0]))) return m[1];
    }
  }
  return null;
}

/**
 * The same tag read in the original source of compiled text (a compiler drops comments):
 * `offsetOf` gives a node's start offset in the original.
 */
export function explicitNameInOriginal(unit: Unit, original: string, offsetOf: (n: Node) => number): string | null {
  for (const n of declaringNodes(unit)) {
    const at = offsetOf(n);
    // (a compiler's map may place a declaration after its `export` keyword)
    const m = /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*(?:export\s+(?:default\s+)?)?$/.exec(original.slice(Math.max(0, at - 1000), at));
    const tag = m && TAG.exec(m[1]);
    if (tag) return tag[1];
  }
  return null;
}
