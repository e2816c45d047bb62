/**
 * Storage errors are data: each has a stable `code` the broker maps to a Kafka error code.
 *
 *   StorageError            ERR_STORAGE_IO, ERR_STORAGE_FULL, ERR_LOG_OFFLINE, ERR_LOG_CLOSED
 *                           -> KAFKA_STORAGE_ERROR (56)
 *   OffsetOutOfRangeError   ERR_OFFSET_OUT_OF_RANGE -> OFFSET_OUT_OF_RANGE (1)
 *   InvalidRecordError      ERR_CORRUPT_RECORD -> CORRUPT_MESSAGE (2),
 *                           ERR_RECORD_TOO_LARGE -> MESSAGE_TOO_LARGE (10)
 */
export type StorageErrorCode =
  | 'ERR_STORAGE_IO' // a read, write, fsync or directory operation failed (EIO and friends)
  | 'ERR_STORAGE_FULL' // ENOSPC / EDQUOT
  | 'ERR_LOG_OFFLINE' // an earlier failure left the log in an unknown state; it refuses work until reopened
  | 'ERR_LOG_CLOSED'; // the log was closed or deleted

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** The errno-style code of the underlying failure (`EIO`, `ENOSPC`, ...), when there is one. */
  readonly systemCode: string | undefined;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
    const cause = options?.cause as { code?: unknown } | undefined;
    this.systemCode = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/** Wraps a failure from the FileSystem port (or passes a StorageError through unchanged). */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const systemCode = (error as { code?: unknown } | undefined)?.code;
  const full = systemCode === 'ENOSPC' || systemCode === 'EDQUOT';
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(full ? 'ERR_STORAGE_FULL' : 'ERR_STORAGE_IO', `${what}: ${detail}`, {
    cause: error,
  });
}

export class OffsetOutOfRangeError extends Error {
  readonly code = 'ERR_OFFSET_OUT_OF_RANGE' as const;

  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is outside the log range [${logStartOffset}, ${logEndOffset}]`);
    this.name = 'OffsetOutOfRangeError';
  }
}

export type InvalidRecordErrorCode = 'ERR_CORRUPT_RECORD' | 'ERR_RECORD_TOO_LARGE';

/** Input to `append` that cannot be stored; the log is unchanged. */
export class InvalidRecordError extends Error {
  readonly code: InvalidRecordErrorCode;

  constructor(code: InvalidRecordErrorCode, message: string) {
    super(message);
    this.name = 'InvalidRecordError';
    this.code = code;
  }
}
