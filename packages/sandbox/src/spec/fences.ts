/** A fenced code block as CommonMark reads it: info string, body, line number. */
export interface FencedBlock {
  info: string;
  /** The lines between the fences, each ending in a newline. */
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** False when the document ended before the closing fence. */
  closed: boolean;
}

const OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * Splits a Markdown document into its fenced code blocks. A closing fence
 * uses the same character, is at least as long and carries no info string,
 * so a file block may itself contain shorter fences.
 */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = OPEN.exec(lines[i]!);
    // A backtick fence may not have a backtick in its info string.
    if (!open || (open[2]![0] === '`' && open[3]!.includes('`'))) {
      i += 1;
      continue;
    }
    const indent = open[1]!.length;
    const fence = open[2]!;
    const start = i;
    const body: string[] = [];
    let closed = false;
    for (i += 1; i < lines.length; i += 1) {
      const line = lines[i]!;
      if (isClosing(line, fence)) {
        closed = true;
        i += 1;
        break;
      }
      body.push(stripIndent(line, indent));
    }
    blocks.push({
      info: open[3]!.trim(),
      body: body.length === 0 ? '' : `${body.join('\n')}\n`,
      line: start + 1,
      closed,
    });
  }
  return blocks;
}

function isClosing(line: string, fence: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length;
}

function stripIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n += 1;
  return line.slice(n);
}
