/**
 * zstd standard frames via zstd-napi. Decompression goes through the streaming API so that the
 * output is produced in chunks and checked against the limit as it grows; the one-shot API
 * would trust the frame's declared content size and allocate it. The window is capped at 2^27
 * bytes (zstd's own default), which bounds the decoder's working memory as well.
 *
 * zstd-napi has no asynchronous API: the async variants run synchronously on the calling thread.
 */

import { compress as zstdCompressOneShot } from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import { corrupt, DecompressionLimitError, type DecompressOptions, outputLimit } from './limits.js';

export const ZSTD_WINDOW_LOG_MAX = 27;
const OUTPUT_CHUNK = binding.dStreamOutSize();

let sharedContext: InstanceType<typeof binding.DCtx> | undefined;

function context(): InstanceType<typeof binding.DCtx> {
  if (sharedContext === undefined) {
    sharedContext = new binding.DCtx();
    sharedContext.setParameter(binding.DParameter.windowLogMax, ZSTD_WINDOW_LOG_MAX);
  }
  // A previous call may have stopped mid-frame (corrupt input, limit): start clean.
  sharedContext.reset(binding.ResetDirective.sessionOnly);
  return sharedContext;
}

export function zstdDecompressSync(data: Buffer, options?: DecompressOptions): Buffer {
  const limit = outputLimit(options);
  if (data.length === 0) throw corrupt('zstd', new Error('empty input'));
  const dctx = context();
  const parts: Buffer[] = [];
  let total = 0;
  let input = data;
  for (;;) {
    // One byte more than the limit allows, so that overflow is seen rather than cut off.
    const output = Buffer.allocUnsafe(Math.min(OUTPUT_CHUNK, limit - total + 1));
    let result: [number, number, number];
    try {
      result = dctx.decompressStream(output, input);
    } catch (error) {
      throw corrupt('zstd', error);
    }
    const [remainingHint, produced, consumed] = result;
    input = input.subarray(consumed);
    if (produced > 0) {
      total += produced;
      if (total > limit) throw new DecompressionLimitError(limit, 'zstd');
      // Copy partial chunks so that many small outputs cannot pin many full-size buffers.
      parts.push(produced === output.length ? output : Buffer.from(output.subarray(0, produced)));
    }
    // A zero hint means the last frame is complete and flushed; more input is another frame.
    if (input.length === 0 && remainingHint === 0) break;
    if (consumed === 0 && produced === 0) {
      throw corrupt('zstd', new Error(input.length === 0 ? 'truncated frame' : 'decoder made no progress'));
    }
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

export async function zstdDecompress(data: Buffer, options?: DecompressOptions): Promise<Buffer> {
  return zstdDecompressSync(data, options);
}

/** Level 3 is zstd's default and what the Java client uses unless configured otherwise. */
export function zstdCompressSync(data: Buffer): Buffer {
  return zstdCompressOneShot(data, { compressionLevel: 3 });
}

export async function zstdCompress(data: Buffer): Promise<Buffer> {
  return zstdCompressSync(data);
}
