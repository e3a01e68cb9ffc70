// Failure paths through the public API, built with both front ends and run in real workers:
// unserializable captures name the variable, the path and the source location; remote
// exceptions keep their class and a stack that points at the TypeScript line; bad bytes fail
// with a typed error and run nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, jsonLines, repo, run, type Flavor } from './support/build.js';

const source = readFileSync(path.join(repo, 'fixtures/programs/errors.ts'), 'utf8').split('\n');
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;

describe.each<Flavor>(['esbuild', 'tspc'])('errors, built with %s', (flavor) => {
  let byName: Record<string, Record<string, string>>;

  it('builds and runs', async () => {
    const r = run(await build('fixtures/programs/errors.ts', flavor));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    byName = Object.fromEntries(jsonLines(r.stdout).map((l) => [l.name, l]));
  });

  it('an unserializable capture names the function, its location, the variable and the path', () => {
    const e = byName['unserializable capture'];
    expect(e.cls).toBe('UnserializableError');
    expect(e.message).toContain(`function 'useCfg' at fixtures/programs/errors.ts:${lineOf('const useCfg')}:`);
    expect(e.message).toContain("captured 'cfg' → .db → instance of EventEmitter, which cannot be sent");
  });

  it('an unserializable argument names the argument and the path', () => {
    const e = byName['unserializable argument'];
    expect(e.cls).toBe('UnserializableError');
    expect(e.message).toMatch(/^argument 0 → \.socket → instance of EventEmitter, which cannot be sent/);
  });

  it('a task that throws rejects with the original class, message and a stack at the .ts line', () => {
    const e = byName['remote throw'];
    expect(e.cls).toBe('RangeError');
    expect(e.message).toBe('too deep: 6');
    expect(e.stack).toContain(`fixtures/programs/errors.ts:${lineOf('too deep')}:`);
  });

  it('garbage or foreign bytes given to loads throw a FormatError', () => {
    expect(byName['garbage bytes'].cls).toBe('FormatError');
    expect(byName['foreign payload'].cls).toBe('FormatError');
    expect(byName['foreign payload'].message).toBe('not a Teleport payload');
  });

  it('a function the transform left untouched (direct eval) fails clearly when sent', () => {
    const e = byName['function with eval'];
    expect(e.cls).toBe('UnserializableError');
    expect(e.message).toContain(`function 'evil' at fixtures/programs/errors.ts:${lineOf('const evil')}:`);
    expect(e.message).toContain('direct `eval`');
  });

  it('functions using a private name of their class (left in the class) fail clearly when sent', () => {
    for (const name of ['arrow field using a private name', 'closure using a private name']) {
      const e = byName[name];
      expect(e.cls).toBe('UnserializableError');
      expect(e.message).toContain(`at fixtures/programs/errors.ts:${lineOf('class Hidden')}:`);
      expect(e.message).toContain('uses the private name `#n` of an enclosing class');
    }
    // (an instance is sent without that arrow field only when restoring it re-runs the field's
    // initializer: not for a class without #private fields)
    const e = byName['instance whose arrow field uses a private method'];
    expect(e.cls).toBe('UnserializableError');
    expect(e.message).toContain(`at fixtures/programs/errors.ts:${lineOf('class OnlyMethod')}:`);
    expect(e.message).toContain('uses the private name `#five` of an enclosing class');
    expect(e.path.at(-1)).toBe('.five');
  });

  it('an instance whose private-name arrow field is made by the constructed class is restored, also for a subclass', () => {
    // (restoring constructs through the most derived class with #private fields, PrivBase: its
    // initializers make `bump` again and its #n is set from the payload; the subclasses' fields come from it)
    expect(byName['instance of a subclass of the class with the private-name arrow field'].value).toEqual([3, 4, 'mid', 2, true]);
  });

  it('an instance whose private-name arrow field no constructed class makes fails in the worker, naming the field and class', () => {
    // (FieldLeaf has no #private field, so restoring constructs FieldBase only and FieldLeaf's `x` is not made)
    const e = byName['private-name arrow field declared below the class with #private fields'];
    // (it comes back as the runtime's class, FormatError)
    expect(e.errName).toBe('FormatError');
    expect(e.message).toMatch(/^cannot restore field 'x' of an instance of FieldLeaf: its function uses a private name, so only its initializer can make it/);
    expect(e.message).toContain('give the class [Teleport.serialize]() and static [Teleport.deserialize](state)');
  });

  it('a payload from a different build fails with VersionSkewError naming both builds', () => {
    const e = byName['version skew'];
    expect(e.cls).toBe('VersionSkewError');
    expect(e.message).toMatch(/payload from build [0-9a-f]{16} refers to '.*' in fixtures\/programs\/errors\.ts, whose code differs in this build \([0-9a-f]{16}\)/);
  });

  it('dumps/loads round-trips a closure in the same process', () => {
    expect(byName['dumps/loads round trip'].value).toEqual([21, 5]);
  });
});
