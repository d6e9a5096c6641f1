/**
 * Every TSDoc `@example` in the packages' sources and every `ts` snippet in the READMEs and docs
 * must type-check against the real packages, as a user importing `@atrest/*` would write it.
 *
 * Each snippet becomes a module under docs/.examples/ (git-ignored) and one TypeScript program
 * checks them all with the packages' sources (the `source` export condition), strict.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const outDir = join(repo, 'docs', '.examples');

interface Snippet {
  origin: string; // file:line
  code: string;
}

function walk(dir: string, keep: (p: string) => boolean, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, into);
    else if (keep(p)) into.push(p);
  }
  return into;
}

/** ```ts blocks inside doc comments, with the comment's leading ` * ` removed. */
function fromSource(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*```ts\s*$/.test(lines[i] as string)) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i = start; i < lines.length && !/^\s*\*\s*```\s*$/.test(lines[i] as string); i++) {
      body.push((lines[i] as string).replace(/^\s*\* ?/, ''));
    }
    out.push({ origin: `${relative(repo, file)}:${start}`, code: body.join('\n') });
  }
  return out;
}

/** ```ts blocks in Markdown. */
function fromMarkdown(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i] as string)) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i = start; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    out.push({ origin: `${relative(repo, file)}:${start}`, code: body.join('\n') });
  }
  return out;
}

it('every @example and README ts snippet type-checks', () => {
  const sources = walk(join(repo, 'packages'), (p) => /\/src\/.*\.ts$/.test(p) && !p.endsWith('.d.ts'));
  const markdown = [join(repo, 'README.md'), ...walk(join(repo, 'packages'), (p) => p.endsWith('README.md')), ...walk(join(repo, 'docs'), (p) => p.endsWith('.md'))];
  const snippets = [...sources.flatMap(fromSource), ...markdown.flatMap(fromMarkdown)];
  expect(snippets.length).toBeGreaterThan(50);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const files = new Map<string, string>();
  snippets.forEach((s, n) => {
    const f = join(outDir, `example-${String(n).padStart(4, '0')}.ts`);
    writeFileSync(f, `// ${s.origin}\n${s.code}\nexport {};\n`);
    files.set(f, s.origin);
  });

  const program = ts.createProgram([...files.keys()], {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['source'],
    types: ['node'],
    typeRoots: [join(repo, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: false,
  });
  const problems: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const origin = d.file ? files.get(d.file.fileName) : undefined;
    if (d.file && origin === undefined) continue; // the packages themselves are checked by tsc -b
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    problems.push(`${origin ?? 'program'} (+${line - 1}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  expect(problems).toEqual([]);
}, 120_000);
