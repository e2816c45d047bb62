/**
 * One entry point for the four Kafka compression codecs. Every decompression takes an output
 * limit and reports bad input as a ProtocolDecodeError (limit overruns as its subclass
 * DecompressionLimitError); nothing a client sends can make these throw anything else.
 */
import { ProtocolDecodeError } from '../../primitives/errors.js';
import { CompressionCodec } from '../batch-header.js';
import { gzipCompress, gzipCompressSync, gzipDecompress, gzipDecompressSync } from './gzip.js';
import type { DecompressOptions } from './limits.js';
import { lz4Compress, lz4CompressSync, lz4Decompress, lz4DecompressSync } from './lz4.js';
import {
  type SnappyFormat,
  snappyCompress,
  snappyCompressSync,
  snappyDecompress,
  snappyDecompressSync,
} from './snappy.js';
import { zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from './zstd.js';

export {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressionLimitError,
  type DecompressOptions,
} from './limits.js';
export type { SnappyFormat } from './snappy.js';

export interface CompressOptions {
  /** Layout of snappy output (default 'raw', which every client reads; 'xerial' as the Java client writes). */
  snappyFormat?: SnappyFormat;
}

interface Codec {
  compressSync(data: Buffer, options?: CompressOptions): Buffer;
  compress(data: Buffer, options?: CompressOptions): Promise<Buffer>;
  decompressSync(data: Buffer, options?: DecompressOptions): Buffer;
  decompress(data: Buffer, options?: DecompressOptions): Promise<Buffer>;
}

const codecs: Record<number, Codec> = {
  [CompressionCodec.Gzip]: {
    compressSync: gzipCompressSync,
    compress: gzipCompress,
    decompressSync: gzipDecompressSync,
    decompress: gzipDecompress,
  },
  [CompressionCodec.Snappy]: {
    compressSync: (data, options) => snappyCompressSync(data, options?.snappyFormat),
    compress: (data, options) => snappyCompress(data, options?.snappyFormat),
    decompressSync: snappyDecompressSync,
    decompress: snappyDecompress,
  },
  [CompressionCodec.Lz4]: {
    compressSync: lz4CompressSync,
    compress: lz4Compress,
    decompressSync: lz4DecompressSync,
    decompress: lz4Decompress,
  },
  [CompressionCodec.Zstd]: {
    compressSync: zstdCompressSync,
    compress: zstdCompress,
    decompressSync: zstdDecompressSync,
    decompress: zstdDecompress,
  },
};

function codecFor(codec: number): Codec {
  const found = codecs[codec];
  if (found === undefined) {
    throw new ProtocolDecodeError('ERR_UNSUPPORTED_COMPRESSION', `unknown compression codec ${codec}`);
  }
  return found;
}

export function isKnownCompressionCodec(codec: number): codec is CompressionCodec {
  return codec === CompressionCodec.None || codecs[codec] !== undefined;
}

/** Codec None returns the input itself. */
export function compressSync(codec: number, data: Buffer, options?: CompressOptions): Buffer {
  if (codec === CompressionCodec.None) return data;
  return codecFor(codec).compressSync(data, options);
}

export async function compress(codec: number, data: Buffer, options?: CompressOptions): Promise<Buffer> {
  if (codec === CompressionCodec.None) return data;
  return codecFor(codec).compress(data, options);
}

export function decompressSync(codec: number, data: Buffer, options?: DecompressOptions): Buffer {
  if (codec === CompressionCodec.None) return data;
  return codecFor(codec).decompressSync(data, options);
}

export async function decompress(codec: number, data: Buffer, options?: DecompressOptions): Promise<Buffer> {
  if (codec === CompressionCodec.None) return data;
  return codecFor(codec).decompress(data, options);
}
