import { GENERATED_BANNER } from './emit-message.js';

/** Helpers shared by every generated codec: errors, shared defaults, the tagged-field section. */
export function emitRuntime(): string {
  return `${GENERATED_BANNER}
import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js';
import { Reader, type TaggedField } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** The default of bytes fields; zero-length, so sharing it is safe. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export function unsupportedVersion(name: string, version: number): ProtocolDecodeError {
  return new ProtocolDecodeError('ERR_UNSUPPORTED_VERSION', \`\${name} has no version \${version}\`);
}

export function unsupportedEncodeVersion(name: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(\`\${name} has no version \${version}\`);
}

export function nullNotAllowed(field: string): ProtocolDecodeError {
  return new ProtocolDecodeError('ERR_NULL_NOT_ALLOWED', \`null in non-nullable \${field}\`);
}

export function nullNotAllowedEncode(field: string): ProtocolEncodeError {
  return new ProtocolEncodeError(\`\${field} is null in a version where it is not nullable\`);
}

export function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw nullNotAllowedEncode(field);
  return value;
}

/** A reader confined to one tagged field's bytes; the outer reader moves past them. */
export function taggedReader(reader: Reader, size: number): Reader {
  reader.need(size);
  const sub = new Reader(reader.buffer, reader.offset, reader.offset + size);
  reader.offset += size;
  return sub;
}

function byTag(a: TaggedField, b: TaggedField): number {
  return a.tag - b.tag;
}

/** Writes the tagged-field section: known fields (already in tag order) merged with unknown ones. */
export function writeTaggedFields(
  writer: Writer,
  known: TaggedField[] | undefined,
  unknown: TaggedField[] | undefined,
): void {
  if (unknown === undefined || unknown.length === 0) {
    if (known === undefined) writer.unsignedVarint(0);
    else writer.taggedFields(known);
    return;
  }
  if (known === undefined) {
    writer.taggedFields(unknown);
    return;
  }
  writer.taggedFields([...known, ...unknown].sort(byTag));
}
`;
}
