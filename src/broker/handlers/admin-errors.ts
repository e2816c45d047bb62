/**
 * Errors of the admin APIs are data: each failure of one topic, partition or config resource
 * becomes an error code and message in that item's result, never a failed request. Lower layers
 * already say which Kafka error they mean (MetadataError carries its code; a ConfigException is
 * INVALID_CONFIG; storage errors are KAFKA_STORAGE_ERROR or OFFSET_OUT_OF_RANGE).
 */
import { MetadataError } from '../../metadata/errors.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { OffsetOutOfRangeError, StorageError } from '../../storage/errors.js';
import { ConfigException } from '../../util/config-def.js';
import type { NetLogger } from '../net/logger.js';

/** A failure the handler itself decides on, with its Kafka error code. */
export class AdminError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface ErrorResult {
  errorCode: number;
  errorMessage: string | null;
}

export const NO_ERROR: ErrorResult = Object.freeze({ errorCode: ErrorCode.NONE, errorMessage: null });

/** The error code and message an item's result reports for `error`. */
export function errorResult(error: unknown, logger?: NetLogger): ErrorResult {
  if (error instanceof AdminError || error instanceof MetadataError) {
    return { errorCode: error.errorCode, errorMessage: error.message };
  }
  if (error instanceof ConfigException)
    return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: error.message };
  if (error instanceof OffsetOutOfRangeError) {
    return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, errorMessage: error.message };
  }
  if (error instanceof StorageError)
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: error.message };
  logger?.error({ err: error }, 'admin request failed unexpectedly');
  return {
    errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
    errorMessage: error instanceof Error ? error.message : String(error),
  };
}

/** Names that appear more than once in `names`. */
export function duplicates(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return repeated;
}
