import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_BANNER } from './emit-message.js';

export interface ErrorCodeRow {
  code: number;
  name: string;
  retriable: boolean;
}

/**
 * Rows of Kafka's error table: `<tr><td>NAME</td><td>code</td><td>True|False</td>...`. Only the
 * name, code and retriable flag are taken; the descriptions stay out of the generated code.
 */
export function parseErrorTable(html: string): ErrorCodeRow[] {
  const rows: ErrorCodeRow[] = [];
  const pattern = /<tr>\s*<td>([A-Z0-9_]+)<\/td>\s*<td>(-?\d+)<\/td>\s*<td>(True|False|true|false)<\/td>/g;
  for (const match of html.matchAll(pattern)) {
    rows.push({ name: match[1]!, code: Number(match[2]), retriable: match[3]!.toLowerCase() === 'true' });
  }
  return rows;
}

/**
 * The error table: from protocol.html when it holds the table, else from the generated include it
 * names (docs/generated/protocol_errors.html), else from the copy of the facts kept next to the
 * generator (kafka-error-codes.json), since the snapshot of protocol.html has only the include.
 */
export function loadErrorTable(docsFolder: string): { rows: ErrorCodeRow[]; source: string } {
  for (const file of [
    join(docsFolder, 'protocol.html'),
    join(docsFolder, 'generated', 'protocol_errors.html'),
  ]) {
    if (!existsSync(file)) continue;
    const rows = parseErrorTable(readFileSync(file, 'utf8'));
    if (rows.length > 0) return { rows, source: file };
  }
  const fallback = join(dirname(fileURLToPath(import.meta.url)), 'kafka-error-codes.json');
  const raw = JSON.parse(readFileSync(fallback, 'utf8')) as [number, string, boolean][];
  return { rows: raw.map(([code, name, retriable]) => ({ code, name, retriable })), source: fallback };
}

export function emitErrorCodes(rows: ErrorCodeRow[]): string {
  const sorted = [...rows].sort((a, b) => a.code - b.code);
  const lines = [GENERATED_BANNER, '', 'export const ErrorCode = {'];
  for (const row of sorted) lines.push(`  ${row.name}: ${row.code},`);
  lines.push('} as const;', '');
  lines.push('export type ErrorName = keyof typeof ErrorCode;');
  lines.push('export type ErrorCode = (typeof ErrorCode)[ErrorName];', '');
  lines.push(
    'export interface ErrorCodeInfo {',
    '  code: number;',
    '  name: ErrorName;',
    '  retriable: boolean;',
    '}',
    '',
  );
  lines.push('export const ERROR_CODES: readonly ErrorCodeInfo[] = [');
  for (const row of sorted)
    lines.push(`  { code: ${row.code}, name: '${row.name}', retriable: ${row.retriable} },`);
  lines.push('];', '');
  lines.push(
    'const byCode = new Map<number, ErrorCodeInfo>(ERROR_CODES.map((info) => [info.code, info]));',
    '',
  );
  lines.push(
    "/** The error's name, e.g. `NOT_LEADER_OR_FOLLOWER`; undefined for codes Kafka does not define. */",
  );
  lines.push('export function errorName(code: number): ErrorName | undefined {');
  lines.push('  return byCode.get(code)?.name;');
  lines.push('}', '');
  lines.push('/** Whether a client may retry the request that failed with this code. */');
  lines.push('export function isRetriable(code: number): boolean {');
  lines.push('  return byCode.get(code)?.retriable ?? false;');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
