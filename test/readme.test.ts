/**
 * Every TypeScript block of README.md type-checks against the library as written,
 * and the self-contained ones (marked `<!-- runnable -->`) run: the documentation
 * cannot drift from the code.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { typescriptBlocks } from './readme/extract';

const root = path.resolve(import.meta.dirname, '..');
const blocksDir = path.join(root, 'test/readme/.blocks');
const prelude = path.join(root, 'test/readme/prelude.d.ts');
const library = path.join(root, 'src/index');
const blocks = typescriptBlocks(path.join(root, 'README.md'));

/**
 * A block as a module of its own, importing the library from source. A block that
 * continues an earlier one (no imports of its own) gets the imports a reader has
 * from the README's first examples.
 */
function moduleFor(code: string): string {
  const imports: string[] = [];
  if (!code.includes("from 'p-gather'")) {
    imports.push(
      "import { asCompleted, first, gather, gatherSettled, isolate, TaskGroup } from 'p-gather';",
    );
  }
  if (code.includes('pLimit(') && !code.includes("from 'p-limit'")) {
    imports.push("import pLimit from 'p-limit';");
  }
  const source = [...imports, code].join('\n');
  return `${source.replaceAll("from 'p-gather'", `from '${library}'`)}\nexport {};\n`;
}

rmSync(blocksDir, { recursive: true, force: true });
mkdirSync(blocksDir, { recursive: true });
const files = blocks.map((block) => {
  const file = path.join(blocksDir, `line-${block.line}.ts`);
  writeFileSync(file, moduleFor(block.code));
  return file;
});

afterAll(() => rmSync(blocksDir, { recursive: true, force: true }));

describe('README code blocks', () => {
  it('has TypeScript blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  // One program over every block: several seconds on a busy 2-core machine.
  it('type-check under strict settings, each as its own module', () => {
    const program = ts.createProgram([...files, prelude], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      // esnext.disposable: what a reader writing `await using` has loaded.
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter(
        (diagnostic) => diagnostic.file === undefined || files.includes(diagnostic.file.fileName),
      )
      .map((diagnostic) => {
        const where =
          diagnostic.file && diagnostic.start !== undefined
            ? `README block at line ${path.basename(diagnostic.file.fileName, '.ts').slice(5)}, block line ${
                diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
              }`
            : 'README';
        return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
    // One program over every block with lib.dom: seconds on a busy 2-core machine.
  }, 60_000);

  it('links to nothing the npm package does not ship: only web addresses and its own headings', () => {
    // The registry shows the README from the tarball (dist/, README, LICENSE,
    // package.json): a relative link to examples/ or CONTRIBUTING.md leads nowhere there.
    const markdown = readFileSync(path.join(root, 'README.md'), 'utf8').replace(
      /```[\s\S]*?```/g,
      '',
    );
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)|\b(?:href|src)="([^"]+)"/g)].map(
      (match) => match[1] ?? match[2] ?? '',
    );
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !/^(?:https:\/\/|#)/.test(target))).toEqual([]);
  });

  it("points every in-page link at one of the README's headings", () => {
    const markdown = readFileSync(path.join(root, 'README.md'), 'utf8').replace(
      /```[\s\S]*?```/g,
      '',
    );
    // GitHub's and npm's anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
        (match[1] ?? '')
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      ),
    );
    const links = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1] ?? '');
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });

  const runnable = blocks.filter((block) => block.runnable);

  it('marks some blocks as runnable', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  for (const block of runnable) {
    it(`runs the self-contained block at line ${block.line}`, async () => {
      await expect(import(path.join(blocksDir, `line-${block.line}.ts`))).resolves.toBeDefined();
    });
  }
});
