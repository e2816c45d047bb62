import { readFileSync } from 'node:fs';
import * as generated from '../../../src/protocol/generated/index.js';
import type { MessageCodec } from '../../../src/protocol/message.js';

/** One field of test/protocol/generated/shapes.json (written by tools/codegen). */
export interface FieldShape {
  name: string;
  /** A scalar (`int32`, `string`, ...), a struct name, or either prefixed by `[]`. */
  type: string;
  /** Inclusive version range in which the field is on the wire; null when never. */
  versions: [number, number] | null;
  nullable?: [number, number];
  tag?: number;
  tagged?: [number, number] | null;
  /** Present when the spec gives a scalar default or null; int64 defaults are decimal strings. */
  default?: number | string | boolean | null;
}

export interface MessageShape {
  name: string;
  module: string;
  internal: boolean;
  apiKey: number | null;
  versions: [number, number];
  flexible: [number, number] | null;
  structs: Record<string, FieldShape[]>;
}

export const shapes: MessageShape[] = (
  JSON.parse(readFileSync(new URL('./shapes.json', import.meta.url), 'utf8')) as { messages: MessageShape[] }
).messages;

export function inRange(range: [number, number] | null | undefined, version: number): boolean {
  return range !== null && range !== undefined && version >= range[0] && version <= range[1];
}

/** The generated codec a shape describes. */
export function codecFor(shape: MessageShape): MessageCodec<unknown> {
  const scope = (shape.internal ? generated.internal : generated) as unknown as Record<string, unknown>;
  const codec = scope[shape.name] as MessageCodec<unknown> | undefined;
  if (!codec) throw new Error(`no codec exported for ${shape.name}`);
  return codec;
}
