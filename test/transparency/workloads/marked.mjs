// marked workload: render a few MB of generated Markdown (headings, emphasis, links, images,
// tables, nested and task lists, fenced and indented code, nested quotes, HTML, references) with
// the default instance, instances with other options and with a custom extension, and hash the
// HTML and the token streams. Pool mode sends closures over marked and a configured instance.
import * as markedNs from 'marked';
import { Marked, marked, Lexer, Parser, Renderer } from 'marked';
import { emit, emitShape, mode, openPool, prng, runTimed, sha256, stringify, viaPool } from './common.mjs';

const DOCS = Number(process.env.TP_MARKED_DOCS ?? 80);

function generate(seed, size) {
  const rnd = prng(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const words = ['alpha', 'beta', 'gamma', 'delta', 'teleport', 'closure', 'worker', 'thread', 'pickle', 'marked', 'x_y_z', 'snake_case', 'a*b', '2*3', 'foo_bar_', 'url', 'über', 'naïve', '日本語', 'emoji🙂', '&amp;', '&copy;', '<tag>', 'AT&T', '"quoted"', "it's"];
  const word = () => pick(words);
  const inline = () => {
    const n = 3 + Math.floor(rnd() * 12);
    const out = [];
    for (let i = 0; i < n; i++) {
      const w = word();
      switch (Math.floor(rnd() * 16)) {
        case 0: out.push(`**${w}**`); break;
        case 1: out.push(`*${w}*`); break;
        case 2: out.push(`_${w} ${word()}_`); break;
        case 3: out.push('`' + w + '`'); break;
        case 4: out.push(`[${w}](https://example.com/${encodeURIComponent(w)}?q=${i} "${word()}")`); break;
        case 5: out.push(`![${w}](/img/${i}.png)`); break;
        case 6: out.push(`~~${w}~~`); break;
        case 7: out.push(`<https://auto.link/${i}>`); break;
        case 8: out.push(`www.example${i}.org/path`); break;
        case 9: out.push(`[${w}][ref${i % 5}]`); break;
        case 10: out.push(`***${w}** ${word()}*`); break;
        case 11: out.push(`\\*not em\\*`); break;
        case 12: out.push(`<span class="s${i}">${w}</span>`); break;
        case 13: out.push(`user${i}@mail.example.com`); break;
        default: out.push(w);
      }
    }
    return out.join(rnd() < 0.1 ? '  \n' : ' ');
  };
  const list = (depth, ordered) => {
    const items = [];
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const marker = ordered ? `${i + 1}.` : pick(['-', '*', '+']);
      const task = !ordered && rnd() < 0.3 ? pick(['[ ] ', '[x] ']) : '';
      let item = `${'   '.repeat(depth)}${marker} ${task}${inline()}`;
      if (depth < 3 && rnd() < 0.35) item += '\n' + list(depth + 1, rnd() < 0.5);
      if (rnd() < 0.15) item += `\n\n${'   '.repeat(depth + 1)}${inline()}`;
      items.push(item);
    }
    return items.join('\n');
  };
  const table = () => {
    const cols = 2 + Math.floor(rnd() * 4);
    const head = Array.from({ length: cols }, () => word());
    const align = Array.from({ length: cols }, () => pick(['---', ':--', '--:', ':-:']));
    const rows = Array.from({ length: 2 + Math.floor(rnd() * 6) }, () => Array.from({ length: cols }, () => (rnd() < 0.2 ? '`a|b`'.replace('|', '\\|') : inline().replace(/\|/g, '\\|').replace(/\n/g, ' '))));
    return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  };
  const code = () => {
    const lang = pick(['js', 'ts', 'python', '', 'html']);
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) => `${'  '.repeat(i % 3)}const v${i} = "${word()}" < ${i} && <b>${i}</b>;`);
    return rnd() < 0.8 ? '```' + lang + '\n' + lines.join('\n') + '\n```' : lines.map((l) => '    ' + l).join('\n');
  };
  const quote = (depth) => {
    const inner = [inline(), rnd() < 0.4 ? list(0, rnd() < 0.5) : inline(), depth < 3 && rnd() < 0.5 ? quote(depth + 1) : code()].join('\n\n');
    return inner.split('\n').map((l) => '> ' + l).join('\n');
  };
  const blocks = [];
  let length = 0;
  let i = 0;
  while (length < size) {
    let b;
    switch (Math.floor(rnd() * 11)) {
      case 0: b = `${'#'.repeat(1 + Math.floor(rnd() * 6))} ${inline()}`; break;
      case 1: b = `${inline()}\n${pick(['===', '---'])}`; break;
      case 2: b = list(0, rnd() < 0.5); break;
      case 3: b = table(); break;
      case 4: b = code(); break;
      case 5: b = quote(0); break;
      case 6: b = pick(['***', '- - -', '___']); break;
      case 7: b = `<div class="block${i}">\n<p>${word()}</p>\n</div>`; break;
      default: b = inline() + '\n' + inline();
    }
    blocks.push(b);
    length += b.length + 2;
    i++;
  }
  for (let r = 0; r < 5; r++) blocks.push(`[ref${r}]: https://ref.example/${r} "Ref ${r}"`);
  return blocks.join('\n\n') + '\n';
}

const docs = Array.from({ length: DOCS }, (_, i) => generate(1000 + i, 30_000));

// a configured instance: options, a renderer override, a tokenizer extension and walkTokens
const custom = new Marked({ breaks: true, gfm: true });
custom.use({
  renderer: {
    heading({ tokens, depth }) { return `<h${depth} class="h">${this.parser.parseInline(tokens)}</h${depth}>\n`; },
    codespan({ text }) { return `<code class="c">${text}</code>`; },
  },
  extensions: [{
    name: 'mention', level: 'inline',
    start(src) { return src.indexOf('@'); },
    tokenizer(src) { const m = /^@([a-z]+)/.exec(src); if (m) return { type: 'mention', raw: m[0], user: m[1] }; },
    renderer(token) { return `<a class="mention">${token.user}</a>`; },
  }],
  walkTokens(token) { if (token.type === 'link') token.href = token.href.replace('https:', 'https-x:'); },
});
const pedantic = new Marked({ pedantic: true, gfm: false });

if (mode === 'local') {
  emitShape(markedNs);
  runTimed('marked', () => {
    let hash = '';
    for (const d of docs) hash = sha256(hash, marked.parse(d));
    for (const d of docs.slice(0, 10)) hash = sha256(hash, custom.parse(d), pedantic.parse(d));
    for (const d of docs.slice(0, 5)) hash = sha256(hash, stringify(Lexer.lex(d)), marked.parseInline(d.slice(0, 2000)));
    // tokens through the Parser class, a Renderer subclass, hooks, and options on the global instance
    class Upper extends Renderer { strong(token) { return `<b>${this.parser.parseInline(token.tokens).toUpperCase()}</b>`; } }
    for (const d of docs.slice(0, 5)) {
      const tokens = new Lexer({ gfm: true }).lex(d);
      hash = sha256(hash, Parser.parse(tokens, { renderer: new Upper() }));
    }
    const hooked = new Marked({ hooks: { preprocess: (md) => md.replace(/alpha/g, 'ALPHA'), postprocess: (html) => html.replace(/<p>/g, '<p class="x">') } });
    for (const d of docs.slice(0, 5)) hash = sha256(hash, hooked.parse(d));
    marked.setOptions({ breaks: true });
    hash = sha256(hash, marked.parse(docs[0]), stringify(marked.getDefaults().breaks));
    marked.setOptions(marked.getDefaults());
    marked.setOptions({ breaks: false });
    return { hash, docs: docs.length, bytes: docs.reduce((n, d) => n + d.length, 0) };
  });
  // the async path (a walkTokens that returns a promise)
  const asyncMarked = new Marked({ async: true, walkTokens: async (t) => { if (t.type === 'codespan') t.text = await Promise.resolve(t.text.toUpperCase()); } });
  const htmls = await Promise.all(docs.slice(0, 5).map((d) => asyncMarked.parse(d)));
  emit({ name: 'async', hash: sha256(...htmls) });
} else {
  const pool = await openPool();
  try {
    const small = docs.slice(0, 16).map((d) => d.slice(0, 6000));
    await viaPool(pool, 'closure calling marked.parse', (src) => marked.parse(src), small);
    await viaPool(pool, 'configured Marked instance', (src) => custom.parse(src + '\n\nhi @someone'), small);
    await viaPool(pool, 'lexer tokens', (src) => stringify(new Lexer().lex(src)), small.slice(0, 6));
    // a Marked instance as the argument, its method called in the worker
    // marked.setOptions itself (`x.setOptions = function …`: no binding of marked's module holds it)
    // must change the worker's marked, not a copy of its module state
    const setOptions = marked.setOptions;
    await viaPool(pool, 'setOptions sent directly', (src) => {
      setOptions({ breaks: true });
      const html = marked.parse(src);
      setOptions({ breaks: false });
      return html;
    }, ['a\nb', 'c  \nd\ne', '# h\nx\ny']);
    await viaPool(pool, 'instance as an item', (m) => m.parse('# T\n\n* a\n* b `c`'), [pedantic, custom, new Marked()]);
  } finally {
    await pool?.close();
  }
  emit({ name: 'done' });
}
