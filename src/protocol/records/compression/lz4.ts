/**
 * LZ4 under codec 3 is the LZ4 *frame* format (for magic 2 batches the header checksum is the
 * standard one). lz4-napi exposes frame functions (lz4_flex); its plain `compress` is the block
 * format with a size prefix, which no Kafka client reads.
 *
 *   frame   magic 04 22 4D 18, FLG, BD, [content size u64le], [dict id u32le], HC
 *           blocks: u32le size (high bit: stored uncompressed; 0: end mark), data, [u32 checksum]
 *           [content checksum u32]
 *   FLG     bits 7-6 version 01, 5 block independence, 4 block checksum, 3 content size,
 *           2 content checksum, 0 dict id
 *   BD      bits 6-4 block max size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB
 *
 * lz4_flex cannot be told an output limit, so before calling it we walk the frame structure and
 * bound the output by the blocks it declares: an uncompressed block adds its size, a compressed
 * block at most the block maximum. Real compressors fill every block but the last, so the bound
 * overshoots the true size by less than one block. Skippable frames (magic 0x184D2A5?) are passed
 * over. Output of the compressor uses independent 64 KiB blocks and no optional fields, the
 * layout Kafka's own Java reader handles.
 */
import * as lz4 from 'lz4-napi';
import { corrupt, DecompressionLimitError, type DecompressOptions, outputLimit } from './limits.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX_SIZES: Record<number, number> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};

function fail(message: string): never {
  throw corrupt('lz4', new Error(message));
}

function need(data: Buffer, at: number, count: number): void {
  if (data.length - at < count) fail(`truncated frame at byte ${at}`);
}

/**
 * Walks every frame in `data`, checking the declared output against `limit`; returns the frames
 * (the native decoder reads only the first frame of its input, so each is decoded on its own).
 */
export function lz4Frames(data: Buffer, limit: number): Buffer[] {
  const frames: Buffer[] = [];
  let bound = 0;
  let at = 0;
  if (data.length === 0) fail('empty input');
  while (at < data.length) {
    need(data, at, 4);
    const magic = data.readUInt32LE(at);
    at += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(data, at, 4);
      const size = data.readUInt32LE(at);
      at += 4;
      need(data, at, size);
      at += size;
      continue;
    }
    if (magic !== FRAME_MAGIC) fail(`bad frame magic ${magic.toString(16)}`);
    const frameStart = at - 4;
    need(data, at, 3);
    const flags = data[at]!;
    const blockDescriptor = data[at + 1]!;
    at += 2;
    if (flags >> 6 !== 1) fail(`unsupported frame version ${flags >> 6}`);
    const blockMax = BLOCK_MAX_SIZES[(blockDescriptor >> 4) & 0x07];
    if (blockMax === undefined) fail(`bad block size code ${(blockDescriptor >> 4) & 0x07}`);
    const blockChecksum = (flags & 0x10) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    if ((flags & 0x08) !== 0) {
      need(data, at, 8);
      // The native decoder may reserve the declared content size up front: check it first.
      const declared = data.readUInt32LE(at + 4) * 0x1_0000_0000 + data.readUInt32LE(at);
      if (declared > limit) throw new DecompressionLimitError(limit, 'lz4');
      at += 8;
    }
    if ((flags & 0x01) !== 0) at += 4;
    at += 1; // header checksum, verified by the native decoder
    for (;;) {
      need(data, at, 4);
      const word = data.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const stored = (word & 0x8000_0000) !== 0;
      const size = word & 0x7fff_ffff;
      if (size > blockMax) fail(`block of ${size} bytes exceeds the frame's ${blockMax}`);
      need(data, at, size);
      at += size + (blockChecksum ? 4 : 0);
      bound += stored ? size : blockMax;
      if (bound > limit) throw new DecompressionLimitError(limit, 'lz4');
    }
    if (contentChecksum) at += 4;
    if (at > data.length) fail('truncated frame trailer');
    frames.push(data.subarray(frameStart, at));
  }
  return frames;
}

function joined(parts: Buffer[], limit: number): Buffer {
  const output = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (output.length > limit) throw new DecompressionLimitError(limit, 'lz4');
  return output;
}

export function lz4DecompressSync(data: Buffer, options?: DecompressOptions): Buffer {
  const limit = outputLimit(options);
  const frames = lz4Frames(data, limit);
  try {
    return joined(
      frames.map((frame) => lz4.decompressFrameSync(frame)),
      limit,
    );
  } catch (error) {
    throw corrupt('lz4', error);
  }
}

export async function lz4Decompress(data: Buffer, options?: DecompressOptions): Promise<Buffer> {
  const limit = outputLimit(options);
  const frames = lz4Frames(data, limit);
  try {
    return joined(await Promise.all(frames.map((frame) => lz4.decompressFrame(frame))), limit);
  } catch (error) {
    throw corrupt('lz4', error);
  }
}

export function lz4CompressSync(data: Buffer): Buffer {
  return lz4.compressFrameSync(data);
}

export function lz4Compress(data: Buffer): Promise<Buffer> {
  return lz4.compressFrame(data);
}
