// The "workload" benchmark program, part 5 of 6: a JSON parser, a serializer and a visitor,
// written the way such code usually is (a parser class with a cursor, a serializer with a nested
// recursive helper over its output buffer, visitors as object literals of callbacks).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class JsonError extends Error {}

class JsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Json {
    const v = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail('trailing characters');
    return v;
  }

  private fail(what: string): never {
    throw new JsonError(`${what} at ${this.pos}`);
  }
  private space(): void {
    const t = this.text;
    while (this.pos < t.length && (t[this.pos] === ' ' || t[this.pos] === '\n' || t[this.pos] === '\t' || t[this.pos] === '\r')) this.pos++;
  }
  private expect(word: string): void {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
  }

  private value(): Json {
    this.space();
    const c = this.text[this.pos];
    switch (c) {
      case '{': return this.object();
      case '[': return this.array();
      case '"': return this.string();
      case 't': this.expect('true'); return true;
      case 'f': this.expect('false'); return false;
      case 'n': this.expect('null'); return null;
      default: return this.number();
    }
  }

  private object(): Json {
    const out: { [key: string]: Json } = {};
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      const key = this.string();
      this.space();
      this.expect(':');
      out[key] = this.value();
      this.space();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }

  private array(): Json[] {
    const out: Json[] = [];
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  private string(): string {
    const t = this.text;
    if (t[this.pos] !== '"') this.fail('expected a string');
    let out = '';
    let i = ++this.pos;
    for (;;) {
      const c = t[i];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') {
        out += t.slice(this.pos, i);
        const e = t[i + 1];
        if (e === 'u') {
          out += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : e;
          i += 2;
        }
        this.pos = i;
      } else i++;
    }
    out += t.slice(this.pos, i);
    this.pos = i + 1;
    return out;
  }

  private number(): number {
    const start = this.pos, t = this.text;
    while (this.pos < t.length && '+-0123456789.eE'.includes(t[this.pos])) this.pos++;
    const n = Number(t.slice(start, this.pos));
    if (start === this.pos || Number.isNaN(n)) this.fail('expected a value');
    return n;
  }
}

export const parseJson = (text: string): Json => new JsonParser(text).parse();

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
export function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/["\\\u0000-\u001f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** JSON text of `v`, like JSON.stringify(v, null, indent) for the values Json allows */
export function stringify(v: Json, indent = 0): string {
  const parts: string[] = [];
  const pad = (depth: number) => (indent ? '\n' + ' '.repeat(indent * depth) : '');
  const write = (x: Json, depth: number): void => {
    if (x === null || typeof x === 'boolean' || typeof x === 'number') parts.push(String(x));
    else if (typeof x === 'string') parts.push(quote(x));
    else if (Array.isArray(x)) {
      if (!x.length) return void parts.push('[]');
      parts.push('[');
      x.forEach((item, i) => {
        if (i) parts.push(',');
        parts.push(pad(depth + 1));
        write(item, depth + 1);
      });
      parts.push(pad(depth), ']');
    } else {
      const keys = Object.keys(x);
      if (!keys.length) return void parts.push('{}');
      parts.push('{');
      keys.forEach((k, i) => {
        if (i) parts.push(',');
        parts.push(pad(depth + 1), quote(k), indent ? ': ' : ':');
        write(x[k], depth + 1);
      });
      parts.push(pad(depth), '}');
    }
  };
  write(v, 0);
  return parts.join('');
}

/** callbacks for the leaves and containers of a document; `path` is the key/index path */
export interface JsonVisitor {
  leaf?(value: null | boolean | number | string, path: readonly (string | number)[]): void;
  enter?(container: Json[] | { [key: string]: Json }, path: readonly (string | number)[]): void;
}
export function visit(v: Json, visitor: JsonVisitor, path: (string | number)[] = []): void {
  if (v === null || typeof v !== 'object') return visitor.leaf?.(v, path);
  visitor.enter?.(v, path);
  if (Array.isArray(v)) v.forEach((item, i) => visit(item, visitor, [...path, i]));
  else for (const k of Object.keys(v)) visit(v[k], visitor, [...path, k]);
}

/** a copy of `v` with every value passed through `f(key, value)` bottom-up (JSON.parse's reviver) */
export function mapJson(v: Json, f: (key: string | number, value: Json) => Json, key: string | number = ''): Json {
  let copy: Json = v;
  if (Array.isArray(v)) copy = v.map((item, i) => mapJson(item, f, i));
  else if (v !== null && typeof v === 'object') copy = Object.fromEntries(Object.keys(v).map((k) => [k, mapJson(v[k], f, k)]));
  return f(key, copy);
}
