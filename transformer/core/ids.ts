// Stable IDs: a SHA-256 (base32, 16 chars) of the project-relative path plus a semantic path
// built from names (declarations, classes, members, properties, callees + argument index),
// never byte offsets; an ordinal separates same-path siblings. `/** @teleport name */` overrides.
import { createHash } from 'node:crypto';
import { parentOf, type Node, type TSESTree } from './walk.js';
import type { Unit } from './model.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32Hash(text: string, chars = 16): string {
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

export function hexHash(text: string, chars = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function keyName(key: Node, computed: boolean, code: string): string {
  if (!computed) {
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'PrivateIdentifier') return '#' + key.name;
    if (key.type === 'Literal') return String(key.value);
  }
  return '[' + shorten(code.slice(key.range[0], key.range[1])) + ']';
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? flat.slice(0, 40) + '…' : flat;
}

/** The name a node contributes to the semantic path, or null when it contributes none. */
function segment(node: Node, code: string): string | null {
  const p = parentOf(node);
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return node.id ? node.id.name : 'default';
    case 'MethodDefinition':
    case 'TSAbstractMethodDefinition': {
      const prefix = (node.static ? 'static ' : '') + (node.kind === 'get' || node.kind === 'set' ? node.kind + ' ' : '');
      return prefix + keyName(node.key, node.computed, code);
    }
    case 'PropertyDefinition':
    case 'AccessorProperty':
      return (node.static ? 'static ' : '') + keyName(node.key, node.computed, code);
    case 'Property':
      if (node.method || node.kind !== 'init') return (node.kind === 'init' ? '' : node.kind + ' ') + keyName(node.key, node.computed, code);
      return null;
    case 'StaticBlock':
      return 'static{}';
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'ClassExpression': {
      if ((node.type === 'FunctionExpression' || node.type === 'ClassExpression') && node.id) return node.id.name;
      if (!p) return '=>';
      return contextName(node, p, code) ?? (node.type === 'ClassExpression' ? 'class' : node.type === 'FunctionExpression' ? 'function' : '=>');
    }
    default:
      return null;
  }
}

function contextName(node: Node, p: Node, code: string): string | null {
  switch (p.type) {
    case 'VariableDeclarator':
      return p.init === node && p.id.type === 'Identifier' ? p.id.name : null;
    case 'AssignmentExpression':
      return p.right === node ? shorten(code.slice(p.left.range[0], p.left.range[1])) : null;
    case 'AssignmentPattern':
      return p.right === node && p.left.type === 'Identifier' ? p.left.name + '=' : null;
    case 'Property':
      return p.value === node ? keyName(p.key, p.computed, code) : null;
    case 'PropertyDefinition':
      return null; // the member itself is a segment
    case 'CallExpression':
    case 'NewExpression': {
      const i = p.arguments.indexOf(node as TSESTree.CallExpressionArgument);
      if (i < 0) return null;
      return shorten(code.slice(p.callee.range[0], p.callee.range[1])) + '(' + i + ')';
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
export function semanticPath(unit: Unit, code: string): string {
  const parts: string[] = [];
  for (let n: Node | null = unit.node; n && n.type !== 'Program'; n = parentOf(n)) {
    const s = segment(n, code);
    if (s !== null) parts.push(s);
  }
  return parts.reverse().join('/');
}

/** `/** @teleport name *\/` on the unit or on the statement/member that declares it. */
export function explicitName(unit: Unit, comments: TSESTree.Comment[], code: string): string | null {
  const candidates: Node[] = [unit.node];
  for (let n = parentOf(unit.node); n; n = parentOf(n)) {
    if (['VariableDeclarator', 'VariableDeclaration', 'ExportNamedDeclaration', 'ExportDefaultDeclaration', 'MethodDefinition', 'PropertyDefinition', 'Property'].includes(n.type)) candidates.push(n);
    else break;
  }
  for (const c of comments) {
    if (c.type !== 'Block' || !c.value.startsWith('*')) continue;
    const m = /@teleport\s+([A-Za-z0-9_.:\/-]+)/.exec(c.value);
    if (!m) continue;
    for (const n of candidates) {
      if (c.range[1] <= n.range[0] && /^\s*$/.test(code.slice(c.range[1], n.range[0]))) return m[1];
    }
  }
  return null;
}
