// The "workload" benchmark program, part 2 of 6: tokenizer and parser of Mini.
//
//   program := (let NAME = expr ; | expr ;)* expr
//   expr    := fn (a, b) expr | if expr then expr else expr | binary
//   binary  := unary (op unary)*     precedence climbing over INFIX (|| && == != < <= > >= + - * / %)
//   unary   := (- | !) unary | postfix
//   postfix := primary ( '(' args ')' | '[' expr ']' )*
//   primary := number | "string" | true | false | NAME | ( expr ) | [ items ] | { program }
import { Binary, Block, Bool, Call, Fn, If, Index, ListLit, MiniError, Node, Num, Ref, Str, Unary, type Token, type TokenKind } from './ast.js';

const KEYWORDS = new Set(['let', 'fn', 'if', 'then', 'else', 'true', 'false']);
const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', '{', '}', ',', ';', '='];

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdent = (c: string) => isIdentStart(c) || isDigit(c);

export class Lexer {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** every token of the source, ending with one 'eof' token */
  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      out.push(t);
      if (t.kind === 'eof') return out;
    }
  }

  private next(): Token {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (c === '#') while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
      else if (c === ' ' || c === '\n' || c === '\t' || c === '\r') this.pos++;
      else break;
    }
    const start = this.pos;
    if (start >= src.length) return { kind: 'eof', text: '', pos: start };
    const c = src[start];
    const take = (kind: TokenKind, end: number, text = src.slice(start, end)): Token => {
      this.pos = end;
      return { kind, text, pos: start };
    };
    if (isDigit(c)) {
      let end = start;
      while (end < src.length && (isDigit(src[end]) || src[end] === '.')) end++;
      return take('num', end);
    }
    if (isIdentStart(c)) {
      let end = start;
      while (end < src.length && isIdent(src[end])) end++;
      const word = src.slice(start, end);
      return take(KEYWORDS.has(word) ? 'kw' : 'ident', end);
    }
    if (c === '"') {
      let end = start + 1, text = '';
      while (end < src.length && src[end] !== '"') {
        if (src[end] === '\\') {
          end++;
          text += src[end] === 'n' ? '\n' : src[end];
        } else text += src[end];
        end++;
      }
      if (end >= src.length) throw new MiniError('unterminated string', start);
      return take('str', end + 1, text);
    }
    const op = OPERATORS.find((o) => src.startsWith(o, start));
    if (!op) throw new MiniError(`unexpected character ${JSON.stringify(c)}`, start);
    return take('op', start + op.length);
  }
}

/** binary operators: precedence and how to build the node (left-associative) */
interface Infix {
  prec: number;
  build: (pos: number, left: Node, right: Node) => Node;
}
const binary = (op: string, prec: number): [string, Infix] => [op, { prec, build: (pos, l, r) => new Binary(pos, op, l, r) }];
const INFIX = new Map<string, Infix>([
  binary('||', 1), binary('&&', 2), binary('==', 3), binary('!=', 3),
  binary('<', 4), binary('<=', 4), binary('>', 4), binary('>=', 4),
  binary('+', 5), binary('-', 5), binary('*', 6), binary('/', 6), binary('%', 6),
]);

export class Parser {
  private i = 0;
  private readonly toks: Token[];
  constructor(src: string) {
    this.toks = new Lexer(src).tokens();
  }

  static parse(src: string): Node {
    const p = new Parser(src);
    const program = p.block('eof');
    return program;
  }

  private get peek(): Token { return this.toks[this.i]; }
  private is(kind: TokenKind, text?: string): boolean {
    const t = this.peek;
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private eat(kind: TokenKind, text?: string): Token {
    const t = this.peek;
    if (!this.is(kind, text)) throw new MiniError(`expected ${text ?? kind}, found ${JSON.stringify(t.text || t.kind)}`, t.pos);
    this.i++;
    return t;
  }
  /** comma-separated items until `close` (which is consumed) */
  private sequence<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.is('op', close)) {
      out.push(item());
      if (!this.is('op', close)) this.eat('op', ',');
    }
    this.eat('op', close);
    return out;
  }

  /** lets then a result expression, up to `end` ('}' or 'eof', consumed for '}') */
  private block(end: '}' | 'eof'): Block {
    const pos = this.peek.pos;
    const lets: { name: string; value: Node }[] = [];
    let result: Node;
    for (;;) {
      if (this.is('kw', 'let')) {
        this.i++;
        const name = this.eat('ident').text;
        this.eat('op', '=');
        lets.push({ name, value: this.expr() });
        this.eat('op', ';');
        continue;
      }
      result = this.expr();
      if (!this.is('op', ';')) break;
      this.i++; // an expression statement: evaluated in order, as an unnamed binding
      lets.push({ name: ';', value: result });
    }
    if (end === '}') this.eat('op', '}');
    else this.eat('eof');
    return new Block(pos, lets, result);
  }

  expr(): Node {
    const t = this.peek;
    if (this.is('kw', 'fn')) {
      this.i++;
      this.eat('op', '(');
      const params = this.sequence(')', () => this.eat('ident').text);
      return new Fn(t.pos, params, this.expr());
    }
    if (this.is('kw', 'if')) {
      this.i++;
      const test = this.expr();
      this.eat('kw', 'then');
      const then = this.expr();
      this.eat('kw', 'else');
      return new If(t.pos, test, then, this.expr());
    }
    return this.binary(0);
  }

  private binary(minPrec: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek;
      const infix = t.kind === 'op' ? INFIX.get(t.text) : undefined;
      if (!infix || infix.prec <= minPrec) return left;
      this.i++;
      left = infix.build(t.pos, left, this.binary(infix.prec));
    }
  }

  private unary(): Node {
    const t = this.peek;
    if (this.is('op', '-') || this.is('op', '!')) {
      this.i++;
      return new Unary(t.pos, t.text, this.unary());
    }
    let node = this.primary();
    for (;;) {
      const p = this.peek.pos;
      if (this.is('op', '(')) {
        this.i++;
        node = new Call(p, node, this.sequence(')', () => this.expr()));
      } else if (this.is('op', '[')) {
        this.i++;
        const index = this.expr();
        this.eat('op', ']');
        node = new Index(p, node, index);
      } else return node;
    }
  }

  private primary(): Node {
    const t = this.peek;
    this.i++;
    switch (t.kind) {
      case 'num': return new Num(t.pos, Number(t.text));
      case 'str': return new Str(t.pos, t.text);
      case 'ident': return new Ref(t.pos, t.text);
      case 'kw':
        if (t.text === 'true' || t.text === 'false') return new Bool(t.pos, t.text === 'true');
        break;
      case 'op':
        if (t.text === '(') {
          const e = this.expr();
          this.eat('op', ')');
          return e;
        }
        if (t.text === '[') return new ListLit(t.pos, this.sequence(']', () => this.expr()));
        if (t.text === '{') return this.block('}');
        break;
    }
    throw new MiniError(`unexpected ${JSON.stringify(t.text || t.kind)}`, t.pos);
  }
}
