import { gunzip, gunzipSync, gzip, gzipSync, type ZlibOptions } from 'node:zlib';
import { corrupt, DecompressionLimitError, type DecompressOptions, outputLimit } from './limits.js';

// zlib refuses a maxOutputLength of 0; an empty output limit is handled by asking for one byte
// and rejecting any output at all.
function zlibOptions(limit: number): ZlibOptions {
  return { maxOutputLength: Math.max(1, limit) };
}

function translate(error: unknown, limit: number): Error {
  if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new DecompressionLimitError(limit, 'gzip');
  }
  return corrupt('gzip', error);
}

function checked(output: Buffer, limit: number): Buffer {
  if (output.length > limit) throw new DecompressionLimitError(limit, 'gzip');
  return output;
}

export function gzipCompressSync(data: Buffer): Buffer {
  return gzipSync(data);
}

export function gzipCompress(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(data, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export function gzipDecompressSync(data: Buffer, options?: DecompressOptions): Buffer {
  const limit = outputLimit(options);
  let output: Buffer;
  try {
    output = gunzipSync(data, zlibOptions(limit));
  } catch (error) {
    throw translate(error, limit);
  }
  return checked(output, limit);
}

export function gzipDecompress(data: Buffer, options?: DecompressOptions): Promise<Buffer> {
  const limit = outputLimit(options);
  return new Promise((resolve, reject) => {
    gunzip(data, zlibOptions(limit), (error, result) => {
      if (error) reject(translate(error, limit));
      else if (result.length > limit) reject(new DecompressionLimitError(limit, 'gzip'));
      else resolve(result);
    });
  });
}
