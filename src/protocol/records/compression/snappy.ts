/**
 * Snappy as Kafka clients use it. Two layouts travel under codec 2:
 *
 *   raw      one snappy block: uvarint uncompressed length, then literal/copy elements
 *   xerial   the snappy-java stream the Java client writes:
 *              8 bytes  magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *              int32    version (1)           big-endian
 *              int32    compatible version (1)
 *              then blocks: int32 compressed length, one raw snappy block
 *            (a stream may be the concatenation of several such streams, header included)
 *
 * We decompress both and compress as one raw block by default: every client reads raw (snappy-java
 * falls back to raw when the xerial magic is absent), while @platformatic/kafka cannot read xerial. The native binding's own "frame" API is the unrelated snappy framing
 * format (stream identifier 0xff 's' 'N' 'a' 'P' 'p' 'Y'), which Kafka does not use.
 *
 * Memory: the uvarint preamble of each raw block declares its size, and the native decoder
 * allocates exactly that, so we check it against the limit (and against the most that snappy can
 * expand: a 3-byte copy element yields at most 64 bytes) before decoding.
 */
import * as snappy from 'snappy';
import { corrupt, DecompressionLimitError, type DecompressOptions, outputLimit } from './limits.js';

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_SIZE = 16;
/** Uncompressed bytes per xerial block; snappy-java's default. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;
const MAX_EXPANSION = 22;

function isXerialHeaderAt(data: Buffer, at: number): boolean {
  return data.length - at >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, at, at + 8) === 0;
}

/** The uncompressed length declared by a raw snappy block, checked for plausibility. */
export function snappyDeclaredLength(block: Buffer): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw corrupt('snappy', new Error('truncated length preamble'));
    const byte = block[i]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      if (value > 0xffff_ffff) break;
      if (value > (block.length - i - 1) * MAX_EXPANSION) {
        throw corrupt('snappy', new Error(`declared length ${value} impossible for ${block.length} bytes`));
      }
      return value;
    }
    multiplier *= 128;
  }
  throw corrupt('snappy', new Error('bad length preamble'));
}

/** Splits input into the raw snappy blocks it carries (one for raw, many for xerial). */
function rawBlocks(data: Buffer): Buffer[] {
  if (!isXerialHeaderAt(data, 0)) return [data];
  const blocks: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (isXerialHeaderAt(data, at)) {
      at += XERIAL_HEADER_SIZE;
      continue;
    }
    if (data.length - at < 4) throw corrupt('snappy', new Error('truncated xerial block length'));
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || length > data.length - at) {
      throw corrupt('snappy', new Error(`xerial block length ${length} exceeds input`));
    }
    blocks.push(data.subarray(at, at + length));
    at += length;
  }
  return blocks;
}

/** Checks every block's declared size against the limit; returns the total. */
function plannedSize(blocks: Buffer[], limit: number): number {
  let total = 0;
  for (const block of blocks) {
    total += snappyDeclaredLength(block);
    if (total > limit) throw new DecompressionLimitError(limit, 'snappy');
  }
  return total;
}

function joined(parts: Buffer[], total: number): Buffer {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts, total);
}

export function snappyDecompressSync(data: Buffer, options?: DecompressOptions): Buffer {
  const limit = outputLimit(options);
  const blocks = rawBlocks(data);
  const total = plannedSize(blocks, limit);
  try {
    return joined(
      blocks.map((block) => snappy.uncompressSync(block) as Buffer),
      total,
    );
  } catch (error) {
    throw corrupt('snappy', error);
  }
}

export async function snappyDecompress(data: Buffer, options?: DecompressOptions): Promise<Buffer> {
  const limit = outputLimit(options);
  const blocks = rawBlocks(data);
  const total = plannedSize(blocks, limit);
  try {
    const parts = await Promise.all(blocks.map((block) => snappy.uncompress(block) as Promise<Buffer>));
    return joined(parts, total);
  } catch (error) {
    throw corrupt('snappy', error);
  }
}

function xerialHeader(): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  return header;
}

function chunksOf(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    chunks.push(data.subarray(at, at + XERIAL_BLOCK_SIZE));
  }
  return chunks;
}

function framed(compressedBlocks: Buffer[]): Buffer {
  const parts: Buffer[] = [xerialHeader()];
  for (const block of compressedBlocks) {
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/**
 * 'xerial' is what the Java client writes; 'raw' (one block) is what librdkafka and
 * @platformatic/kafka write. Java (snappy-java falls back to raw), librdkafka and kafkajs' snappy
 * plugins read both; @platformatic/kafka reads only raw.
 */
export type SnappyFormat = 'xerial' | 'raw';

/** Compresses into the xerial layout (32 KiB of input per block), or as one raw block. */
export function snappyCompressSync(data: Buffer, format: SnappyFormat = 'raw'): Buffer {
  if (format === 'raw') return snappy.compressSync(data);
  return framed(chunksOf(data).map((chunk) => snappy.compressSync(chunk)));
}

export async function snappyCompress(data: Buffer, format: SnappyFormat = 'raw'): Promise<Buffer> {
  if (format === 'raw') return snappy.compress(data);
  return framed(await Promise.all(chunksOf(data).map((chunk) => snappy.compress(chunk))));
}
