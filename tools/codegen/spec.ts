import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A field as written in a Kafka message spec (only the keys the generator uses). */
export interface FieldSpec {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  flexibleVersions?: string;
  default?: string | number | boolean | null;
  mapKey?: boolean;
  fields?: FieldSpec[];
}

export interface StructSpec {
  name: string;
  versions?: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey?: number;
  validVersions: string;
  flexibleVersions?: string;
  fields: FieldSpec[];
  commonStructs?: StructSpec[];
}

/**
 * The specs are JSON with `//` line comments. Strip them outside string literals (a comment may
 * contain quotes, and an `about` text may contain `//` in a URL).
 */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      continue;
    }
    if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    out += char;
  }
  return out;
}

export function parseSpec(text: string, source: string): MessageSpec {
  try {
    return JSON.parse(stripComments(text)) as MessageSpec;
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}

/** Every `*.json` spec of a folder, sorted by file name so the output is deterministic. */
export function readSpecFolder(folder: string): MessageSpec[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseSpec(readFileSync(join(folder, file), 'utf8'), file));
}
