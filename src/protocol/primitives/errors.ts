/**
 * Malformed input is data, not a crash: every decoding failure in the protocol layer raises a
 * `ProtocolDecodeError` with a stable `code`, so the network layer can answer it (an error code or
 * a closed connection) without guessing from messages.
 */
export type ProtocolDecodeErrorCode =
  | 'ERR_TRUNCATED' // a read goes past the end of the input
  | 'ERR_NEGATIVE_LENGTH' // a length or count below -1 (or -1 where null is not allowed)
  | 'ERR_LENGTH_EXCEEDS_INPUT' // a length or count larger than the bytes that remain
  | 'ERR_VARINT_TOO_LONG' // a varint longer than its maximum encoded size
  | 'ERR_INVALID_UTF8' // reserved: strings are decoded leniently today
  | 'ERR_UNSUPPORTED_VERSION' // a codec asked for a version it does not know
  | 'ERR_NULL_NOT_ALLOWED' // a null where the field is not nullable
  | 'ERR_BAD_RECORD_BATCH' // a record batch whose header or records are inconsistent
  | 'ERR_CRC_MISMATCH' // a record batch whose CRC-32C does not match its content
  | 'ERR_UNSUPPORTED_COMPRESSION' // a compression codec id we do not know
  | 'ERR_TRAILING_BYTES'; // input left over where a message should end exactly

export class ProtocolDecodeError extends Error {
  readonly code: ProtocolDecodeErrorCode;

  constructor(code: ProtocolDecodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolDecodeError';
    this.code = code;
  }
}

/** Raised when a value cannot be encoded (a null in a non-nullable field, a version out of range). */
export class ProtocolEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolEncodeError';
  }
}
