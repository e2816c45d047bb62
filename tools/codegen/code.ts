import type { Condition } from './versions.js';

/** A tiny line printer with two-space indentation; the generated files are not run through Biome. */
export class Code {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ''): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }

  open(text: string): this {
    this.line(text);
    this.depth++;
    return this;
  }

  close(text = '}'): this {
    this.depth--;
    return this.line(text);
  }

  /** Appends lines produced elsewhere, re-indented to the current depth. */
  append(lines: readonly string[]): this {
    for (const text of lines) this.line(text);
    return this;
  }

  toLines(): string[] {
    return this.lines.slice();
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** `cond ? a : b`, folded when the condition is constant. */
export function choose(cond: Condition, whenTrue: string, whenFalse: string): string {
  if (cond === true) return whenTrue;
  if (cond === false) return whenFalse;
  const wrap = (text: string) => (text.includes(' ? ') ? `(${text})` : text);
  return `${cond} ? ${wrap(whenTrue)} : ${wrap(whenFalse)}`;
}

/** Statements guarded by a condition, folded when the condition is constant. */
export function guarded(
  cond: Condition,
  body: readonly string[],
  otherwise: readonly string[] = [],
): string[] {
  if (cond === true) return [...body];
  if (cond === false) return [...otherwise];
  const out: string[] = [];
  if (body.length === 1 && otherwise.length === 0) return [`if (${cond}) ${body[0]}`];
  if (body.length === 1 && otherwise.length === 1 && !body[0]!.startsWith('if ')) {
    return [`if (${cond}) ${body[0]}`, `else ${otherwise[0]}`];
  }
  out.push(`if (${cond}) {`);
  for (const line of body) out.push(`  ${line}`);
  if (otherwise.length > 0) {
    out.push('} else {');
    for (const line of otherwise) out.push(`  ${line}`);
  }
  out.push('}');
  return out;
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
