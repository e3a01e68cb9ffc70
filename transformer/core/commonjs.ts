// Recognises CommonJS modules, which the transform leaves as written: instrumenting one would add
// an `import` and turn it into an ES module (strict mode, no `require`/`module`/`exports`), which
// changes what it does. The front ends report it as a warning with the file and line.
import { analyze } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { addTsLists } from './walk.js';

const CJS_EXTENSION = /\.c[jt]s$/;
const CJS_GLOBALS = new Set(['require', 'module', 'exports']);
const ESM_SYNTAX = new Set(['ImportDeclaration', 'ExportNamedDeclaration', 'ExportDefaultDeclaration', 'ExportAllDeclaration']);

/**
 * Where a module shows that it is CommonJS, or undefined for an ES module: a `.cjs`/`.cts` file
 * (line 1), or a file without import/export syntax that uses `require`, `module` or `exports`
 * without declaring them (the first such use). TypeScript's `import x = require()` and
 * `export =` are CommonJS too.
 */
export function commonJsEvidence(ast: TSESTree.Program, code: string, fileName: string): { what: string; node?: TSESTree.Node } | undefined {
  if (CJS_EXTENSION.test(fileName)) return { what: `a ${fileName.slice(-4)} file` };
  for (const s of ast.body) {
    if (s.type === 'TSImportEqualsDeclaration' && s.moduleReference.type === 'TSExternalModuleReference') return at(s, '`import … = require()`');
    if (s.type === 'TSExportAssignment') return at(s, '`export =`');
  }
  if (ast.body.some((s) => ESM_SYNTAX.has(s.type)) || /\bimport\s*\.\s*meta\b/.test(code)) return undefined;
  // no module syntax: free references to require/module/exports make it CommonJS
  addTsLists(ast); // (scope-manager reads typescript-estree's empty lists, which meriyah's tree lacks)
  const global = analyze(ast, { sourceType: 'script', lib: [] }).globalScope;
  const refs = global?.through.filter((r) => CJS_GLOBALS.has(r.identifier.name)) ?? [];
  if (!refs.length) return undefined;
  const first = refs.reduce((a, b) => (b.identifier.range[0] < a.identifier.range[0] ? b : a));
  return at(first.identifier, `\`${first.identifier.name}\``);
}

/** (the caller finds the node's line and column) */
function at(node: TSESTree.Node, what: string): { what: string; node: TSESTree.Node } {
  return { what, node };
}

/**
 * TypeScript's `import x = require()` and `export =` in the original source of compiled text
 * (the compiler turned them into `require` calls and `module.exports`, which may sit next to
 * `export`s): the same evidence as in TypeScript text, found with a line-anchored pattern.
 */
export function originalCommonJsSyntax(original: string): { line: number; column: number; what: string } | undefined {
  const m = /^([ \t]*)(?:(?:export[ \t]+)?import[ \t]+[\w$]+[ \t]*=[ \t]*require[ \t]*\(|(export[ \t]*=)(?!=))/m.exec(original);
  if (!m) return undefined;
  const at = m.index + m[1].length;
  const lineStart = original.lastIndexOf('\n', at - 1) + 1;
  let line = 1;
  for (let i = original.indexOf('\n'); i >= 0 && i < at; i = original.indexOf('\n', i + 1)) line++;
  return { line, column: at - lineStart + 1, what: m[2] ? '`export =`' : '`import … = require()`' };
}
