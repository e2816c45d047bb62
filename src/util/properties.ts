/**
 * Java `.properties` files, as `java.util.Properties.load` reads them (Kafka's server.properties
 * and meta.properties):
 * - lines end with \n, \r or \r\n; leading whitespace (space, tab, form feed) is skipped;
 * - a line whose first non-blank character is `#` or `!` is a comment;
 * - a line ending in an odd number of backslashes continues on the next line, whose leading
 *   whitespace is dropped (a comment line never continues);
 * - the key ends at the first unescaped `=`, `:` or whitespace; then whitespace, at most one `=` or
 *   `:`, and more whitespace are skipped; the rest is the value;
 * - escapes: \t \n \r \f, \uXXXX, and a backslash before any other character stands for that character.
 * A later duplicate key replaces an earlier one. Map order is first appearance.
 */
export class PropertiesSyntaxError extends Error {
  readonly code = 'ERR_PROPERTIES_SYNTAX' as const;
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PropertiesSyntaxError';
  }
}

const BLANK = new Set([' ', '\t', '\f']);

export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const startLine = index + 1;
    let logical = skipBlank(lines[index]!);
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithOddBackslashes(logical)) {
      logical = logical.slice(0, -1);
      index++;
      if (index >= lines.length) break;
      logical += skipBlank(lines[index]!);
    }
    const [key, value] = splitKeyValue(logical, startLine);
    result.set(key, value);
  }
  return result;
}

function skipBlank(line: string): string {
  let start = 0;
  while (start < line.length && BLANK.has(line[start]!)) start++;
  return line.slice(start);
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let index = line.length - 1; index >= 0 && line[index] === '\\'; index--) count++;
  return count % 2 === 1;
}

function splitKeyValue(line: string, lineNumber: number): [string, string] {
  let keyEnd = 0;
  while (keyEnd < line.length) {
    const char = line[keyEnd]!;
    if (char === '\\') {
      keyEnd += 2;
      continue;
    }
    if (char === '=' || char === ':' || BLANK.has(char)) break;
    keyEnd++;
  }
  keyEnd = Math.min(keyEnd, line.length);
  let valueStart = keyEnd;
  while (valueStart < line.length && BLANK.has(line[valueStart]!)) valueStart++;
  if (line[valueStart] === '=' || line[valueStart] === ':') valueStart++;
  while (valueStart < line.length && BLANK.has(line[valueStart]!)) valueStart++;
  return [unescapeText(line.slice(0, keyEnd), lineNumber), unescapeText(line.slice(valueStart), lineNumber)];
}

function unescapeText(text: string, lineNumber: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = text[++index];
    if (next === undefined) break;
    switch (next) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const hex = text.slice(index + 1, index + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          throw new PropertiesSyntaxError('malformed \\uXXXX encoding', lineNumber);
        out += String.fromCharCode(Number.parseInt(hex, 16));
        index += 4;
        break;
      }
      default:
        out += next;
    }
  }
  return out;
}

/** Renders properties that `parseProperties` (and Java) read back unchanged, after `#` comment lines. */
export function formatProperties(
  entries: Iterable<[string, string]>,
  comments: readonly string[] = [],
): string {
  const lines = comments.map((comment) => `#${comment}`);
  for (const [key, value] of entries) lines.push(`${escapeText(key, true)}=${escapeText(value, false)}`);
  return `${lines.join('\n')}\n`;
}

function escapeText(text: string, isKey: boolean): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    const code = char.charCodeAt(0);
    if (char === '\\') out += '\\\\';
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\f') out += '\\f';
    else if (char === ' ' && (isKey || index === 0)) out += '\\ ';
    else if ('=:#!'.includes(char)) out += `\\${char}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}
