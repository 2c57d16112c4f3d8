/**
 * Pulls the TypeScript code blocks out of README.md, so a test can type-check and
 * run them: the documentation cannot drift from the code.
 */
import { readFileSync } from 'node:fs';

/** One ```ts block of the README. */
export interface CodeBlock {
  /** 1-based line of the opening fence, for messages that point into the README. */
  readonly line: number;
  readonly code: string;
  /** Preceded by `<!-- runnable -->`: self-contained, so the test runs it too. */
  readonly runnable: boolean;
}

const fence = /^(\s*)```(\w*)\s*$/;

export function typescriptBlocks(markdownPath: string): CodeBlock[] {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = fence.exec(lines[index] ?? '');
    if (opening === null) continue;
    const indent = opening[1]?.length ?? 0;
    const language = opening[2] ?? '';
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !fence.test(lines[end] ?? '')) {
      body.push((lines[end] ?? '').slice(indent));
      end++;
    }
    if (language === 'ts') {
      const previous = lines.slice(Math.max(0, index - 2), index).join('\n');
      blocks.push({
        line: index + 1,
        code: body.join('\n'),
        runnable: previous.includes('<!-- runnable -->'),
      });
    }
    index = end;
  }
  return blocks;
}
