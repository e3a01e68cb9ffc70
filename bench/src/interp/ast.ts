// The "workload" benchmark program, part 1 of 6: tokens and the AST of Mini, the small
// expression language the workload interprets (bench/src/interp/main.ts runs it). The AST is a
// class per node kind with a visitor, as a hand-written interpreter in TypeScript usually has it.

export type TokenKind = 'num' | 'str' | 'ident' | 'kw' | 'op' | 'eof';
export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

export interface Visitor<R> {
  num(n: Num): R;
  str(n: Str): R;
  bool(n: Bool): R;
  ref(n: Ref): R;
  unary(n: Unary): R;
  binary(n: Binary): R;
  call(n: Call): R;
  fn(n: Fn): R;
  if(n: If): R;
  block(n: Block): R;
  list(n: ListLit): R;
  index(n: Index): R;
}

export abstract class Node {
  constructor(readonly pos: number) {}
  abstract accept<R>(v: Visitor<R>): R;
}

export class Num extends Node {
  constructor(pos: number, readonly value: number) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.num(this); }
}
export class Str extends Node {
  constructor(pos: number, readonly value: string) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.str(this); }
}
export class Bool extends Node {
  constructor(pos: number, readonly value: boolean) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.bool(this); }
}
export class Ref extends Node {
  constructor(pos: number, readonly name: string) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.ref(this); }
}
export class Unary extends Node {
  constructor(pos: number, readonly op: string, readonly operand: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.unary(this); }
}
export class Binary extends Node {
  constructor(pos: number, readonly op: string, readonly left: Node, readonly right: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.binary(this); }
}
export class Call extends Node {
  constructor(pos: number, readonly callee: Node, readonly args: Node[]) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.call(this); }
}
export class Fn extends Node {
  constructor(pos: number, readonly params: string[], readonly body: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.fn(this); }
}
export class If extends Node {
  constructor(pos: number, readonly test: Node, readonly then: Node, readonly otherwise: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.if(this); }
}
/** `{ let a = …; let b = …; expr }` (the program itself is a block without braces) */
export class Block extends Node {
  constructor(pos: number, readonly lets: { name: string; value: Node }[], readonly result: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.block(this); }
}
export class ListLit extends Node {
  constructor(pos: number, readonly items: Node[]) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.list(this); }
}
export class Index extends Node {
  constructor(pos: number, readonly target: Node, readonly index: Node) { super(pos); }
  accept<R>(v: Visitor<R>): R { return v.index(this); }
}

export class MiniError extends Error {
  constructor(message: string, readonly pos: number) {
    super(`${message} at ${pos}`);
  }
}
