import { ProtocolDecodeError } from '../../primitives/errors.js';

/**
 * Default ceiling on the output of one decompression. A batch is at most message.max.bytes
 * compressed (1 MiB by default); this leaves room for compression ratios well past what real
 * producers reach while keeping a hostile batch from taking the process's memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse to produce more than this many bytes (default DEFAULT_MAX_DECOMPRESSED_BYTES). */
  maxOutputBytes?: number;
}

/**
 * Raised when decompressed output would exceed the caller's limit. It is a ProtocolDecodeError
 * (code ERR_BAD_RECORD_BATCH) so generic handling works, and a distinct class so a broker can
 * answer it differently from corrupt data if it wants to.
 */
export class DecompressionLimitError extends ProtocolDecodeError {
  readonly limit: number;

  constructor(limit: number, what: string) {
    super('ERR_BAD_RECORD_BATCH', `${what} output exceeds the limit of ${limit} bytes`);
    this.name = 'DecompressionLimitError';
    this.limit = limit;
  }
}

export function outputLimit(options: DecompressOptions | undefined): number {
  const limit = options?.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`invalid maxOutputBytes ${limit}`);
  return limit;
}

/** Wraps whatever a native codec threw on bad input into a ProtocolDecodeError. */
export function corrupt(what: string, cause?: unknown): ProtocolDecodeError {
  if (cause instanceof ProtocolDecodeError) return cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ProtocolDecodeError('ERR_BAD_RECORD_BATCH', `corrupt ${what} data${detail}`, { cause });
}
