import type { Reader, TaggedField } from './primitives/reader.js';
import type { Writer } from './primitives/writer.js';

/**
 * What every generated message codec offers (see tools/codegen). A codec is straight-line code per
 * message: versions are branches, not a schema interpreted at run time.
 */
export interface MessageCodec<T> {
  /** The spec's name, e.g. `FetchRequest`, `ConsumerProtocolSubscription`. */
  readonly name: string;
  /** The API key for requests and responses; -1 for headers and data structures. */
  readonly apiKey: number;
  readonly lowestVersion: number;
  readonly highestVersion: number;
  /** The first flexible version (compact encodings, tagged fields), or null when none is. */
  readonly flexibleFrom: number | null;
  /** Decodes one message of `version`; throws ProtocolDecodeError on malformed input. */
  decode(reader: Reader, version: number): T;
  /** Encodes `value` as `version`; fields the version lacks are skipped. */
  encode(writer: Writer, value: T, version: number): void;
  /** A message with every field at its default, overridden by `init`. */
  create(init?: Partial<T>): T;
}

/** Structures in flexible versions carry the tagged fields they did not recognise. */
export interface WithUnknownTaggedFields {
  unknownTaggedFields?: TaggedField[];
}
