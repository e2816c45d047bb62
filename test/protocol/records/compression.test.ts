import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as wasm from '@platformatic/wasm-utils';
import fc from 'fast-check';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import { compress as zstdCompress } from 'zstd-napi';
import {
  CompressionCodec,
  compress,
  compressSync,
  DecompressionLimitError,
  decompress,
  decompressSync,
} from '../../../src/protocol/records/index.js';
import { assertDecodeError, assertDecodeErrorAsync, decodesOrRejects, xxh32 } from './helpers.js';

const codecs = [
  ['gzip', CompressionCodec.Gzip],
  ['snappy', CompressionCodec.Snappy],
  ['lz4', CompressionCodec.Lz4],
  ['zstd', CompressionCodec.Zstd],
] as const;

const XERIAL_HEADER = Buffer.from('82534e41505059000000000100000001', 'hex');
function xerial(...blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** An LZ4 frame with the given FLG/BD and blocks, header checksum computed per the spec. */
function lz4Frame(
  flags: number,
  blockDescriptor: number,
  blocks: Buffer[],
  extra: Buffer = Buffer.alloc(0),
): Buffer {
  const descriptor = Buffer.concat([Buffer.from([flags, blockDescriptor]), extra]);
  const checksum = (xxh32(descriptor) >>> 8) & 0xff;
  return Buffer.concat([
    Buffer.from([0x04, 0x22, 0x4d, 0x18]),
    descriptor,
    Buffer.from([checksum]),
    ...blocks,
  ]);
}
function le32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

describe('compression round trips', () => {
  for (const [name, codec] of codecs) {
    test(`${name}: sync and async round trip arbitrary data`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 100_000 }), async (array) => {
          const data = Buffer.from(array);
          assert.deepEqual(decompressSync(codec, compressSync(codec, data)), data);
          assert.deepEqual(await decompress(codec, await compress(codec, data)), data);
        }),
        { numRuns: 40 },
      );
    });

    test(`${name}: refuses output beyond the limit (small bomb)`, async () => {
      const bomb = compressSync(codec, Buffer.alloc(8 * 1024 * 1024));
      assert.ok(bomb.length < 512 * 1024);
      const error = assertDecodeError(() => decompressSync(codec, bomb, { maxOutputBytes: 1024 * 1024 }));
      assert.ok(error instanceof DecompressionLimitError);
      const asyncError = await assertDecodeErrorAsync(() =>
        decompress(codec, bomb, { maxOutputBytes: 1024 * 1024 }),
      );
      assert.ok(asyncError instanceof DecompressionLimitError);
      assert.equal(decompressSync(codec, bomb, { maxOutputBytes: 8 * 1024 * 1024 }).length, 8 * 1024 * 1024);
    });

    test(`${name}: garbage and truncation raise ProtocolDecodeError only`, async () => {
      const good = compressSync(codec, Buffer.from('a moderately compressible sentence. '.repeat(50)));
      assertDecodeError(() => decompressSync(codec, Buffer.alloc(0)));
      assertDecodeError(() => decompressSync(codec, good.subarray(0, good.length >> 1)));
      await assertDecodeErrorAsync(() => decompress(codec, good.subarray(0, good.length - 5)));
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (array) => {
          decodesOrRejects(() => decompressSync(codec, Buffer.from(array), { maxOutputBytes: 1 << 20 }));
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
          const copy = Buffer.from(good);
          copy[at]! ^= flip;
          decodesOrRejects(() => decompressSync(codec, copy, { maxOutputBytes: 1 << 20 }));
        }),
        { numRuns: 300 },
      );
    });
  }

  test('unknown codec ids are ERR_UNSUPPORTED_COMPRESSION', () => {
    for (const codec of [5, 6, 7]) {
      assertDecodeError(() => decompressSync(codec, Buffer.from([1, 2, 3])), 'ERR_UNSUPPORTED_COMPRESSION');
    }
    assert.equal(compressSync(CompressionCodec.None, Buffer.from('x')).toString(), 'x');
  });
});

describe('gzip interop', () => {
  test('decompresses what kafkajs gzip codec produces', async () => {
    const require = createRequire(import.meta.url);
    const kafkajsGzip = require('kafkajs/src/protocol/message/compression/gzip.js') as {
      compress(encoder: { buffer: Buffer }): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    };
    const data = Buffer.from('kafkajs '.repeat(1000));
    const compressed = await kafkajsGzip.compress({ buffer: data });
    assert.deepEqual(decompressSync(CompressionCodec.Gzip, compressed), data);
    assert.deepEqual(await kafkajsGzip.decompress(compressSync(CompressionCodec.Gzip, data)), data);
  });

  test('accepts concatenated gzip members', () => {
    const joined = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
    assert.equal(decompressSync(CompressionCodec.Gzip, joined).toString(), 'abcd');
  });
});

describe('snappy formats', () => {
  // "abcdabcdabcd": literal "abcd" then a copy of 8 bytes from offset 4, built from the format
  // description: tag 0x0c = literal of 4; 0x11 0x04 = 1-byte-offset copy, length 8, offset 4.
  const copy1Block = Buffer.from([0x0c, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x11, 0x04]);
  // Same output with a 2-byte-offset copy: tag 0x1e = length 8, then offset 4 little-endian.
  const copy2Block = Buffer.from([0x0c, 0x0c, 0x61, 0x62, 0x63, 0x64, 0x1e, 0x04, 0x00]);

  test('hand-built raw blocks decode (ours and the native library agree)', () => {
    for (const block of [copy1Block, copy2Block]) {
      assert.equal((snappy.uncompressSync(block) as Buffer).toString(), 'abcdabcdabcd');
      assert.equal(decompressSync(CompressionCodec.Snappy, block).toString(), 'abcdabcdabcd');
    }
  });

  test('hand-built xerial streams decode, including concatenated streams', () => {
    assert.equal(
      decompressSync(CompressionCodec.Snappy, xerial(copy1Block, copy2Block)).toString(),
      'abcd'.repeat(6),
    );
    const twoStreams = Buffer.concat([xerial(copy1Block), xerial(copy2Block)]);
    assert.equal(decompressSync(CompressionCodec.Snappy, twoStreams).toString(), 'abcd'.repeat(6));
    assert.equal(decompressSync(CompressionCodec.Snappy, XERIAL_HEADER).length, 0);
  });

  test('xerial output (on request) is a stream of raw blocks of at most 32 KiB', () => {
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251));
    const out = compressSync(CompressionCodec.Snappy, data, { snappyFormat: 'xerial' });
    assert.deepEqual(out.subarray(0, 16), XERIAL_HEADER);
    const pieces: Buffer[] = [];
    let at = 16;
    while (at < out.length) {
      const length = out.readInt32BE(at);
      const block = out.subarray(at + 4, at + 4 + length);
      const plain = snappy.uncompressSync(block) as Buffer;
      assert.ok(plain.length <= 32 * 1024);
      pieces.push(plain);
      at += 4 + length;
    }
    assert.equal(at, out.length);
    assert.equal(pieces.length, 4);
    assert.deepEqual(Buffer.concat(pieces), data);
  });

  test('raw output (the default) and the @platformatic/kafka (wasm) snappy read each other', () => {
    const data = Buffer.from('platformatic '.repeat(300));
    const raw = compressSync(CompressionCodec.Snappy, data);
    assert.deepEqual(raw, compressSync(CompressionCodec.Snappy, data, { snappyFormat: 'raw' }));
    assert.notDeepEqual(raw.subarray(0, 8), XERIAL_HEADER.subarray(0, 8));
    assert.deepEqual(Buffer.from(wasm.snappyDecompress(raw)), data);
    assert.deepEqual(decompressSync(CompressionCodec.Snappy, Buffer.from(wasm.snappyCompress(data))), data);
  });

  test('a block declaring an impossible length is refused before allocation', () => {
    // Declares 2^32-1 bytes from a 2-byte body.
    const lie = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61]);
    assertDecodeError(() => decompressSync(CompressionCodec.Snappy, lie), 'ERR_BAD_RECORD_BATCH');
    assertDecodeError(() => decompressSync(CompressionCodec.Snappy, xerial(lie)), 'ERR_BAD_RECORD_BATCH');
    const negative = Buffer.concat([XERIAL_HEADER, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    assertDecodeError(() => decompressSync(CompressionCodec.Snappy, negative), 'ERR_BAD_RECORD_BATCH');
  });
});

describe('lz4 frames', () => {
  // One compressed block for "abcd" x3 + "wxyz1": token 0x44 (4 literals, match 8), "abcd",
  // offset 4; token 0x50 (5 literals, no match), "wxyz1".
  const block = Buffer.from([0x44, 0x61, 0x62, 0x63, 0x64, 0x04, 0x00, 0x50, 0x77, 0x78, 0x79, 0x7a, 0x31]);
  const expected = 'abcdabcdabcdwxyz1';

  test('xxh32 matches the header checksum lz4_flex writes', () => {
    const frame = lz4.compressFrameSync(Buffer.from('x'));
    assert.equal((xxh32(frame.subarray(4, 6)) >>> 8) & 0xff, frame[6]);
    const withChecksum = lz4.compressFrameSync(Buffer.from(expected), { contentChecksum: true });
    assert.equal(withChecksum.readUInt32LE(withChecksum.length - 4), xxh32(Buffer.from(expected)));
  });

  test('hand-built frames decode: compressed block, stored block, checksums, content size', () => {
    const simple = lz4Frame(0x60, 0x40, [le32(block.length), block, le32(0)]);
    assert.equal(decompressSync(CompressionCodec.Lz4, simple).toString(), expected);

    const stored = Buffer.from('stored!');
    const storedFrame = lz4Frame(0x60, 0x40, [le32(0x8000_0000 | stored.length), stored, le32(0)]);
    assert.equal(decompressSync(CompressionCodec.Lz4, storedFrame).toString(), 'stored!');

    // FLG 0x7c: independent blocks, block checksums, content size, content checksum.
    const size = Buffer.alloc(8);
    size.writeUInt32LE(expected.length);
    const full = lz4Frame(
      0x7c,
      0x40,
      [le32(block.length), block, le32(xxh32(block)), le32(0), le32(xxh32(Buffer.from(expected)))],
      size,
    );
    assert.equal(decompressSync(CompressionCodec.Lz4, full).toString(), expected);

    const twoFrames = Buffer.concat([simple, storedFrame]);
    assert.equal(decompressSync(CompressionCodec.Lz4, twoFrames).toString(), expected + 'stored!');

    const skippable = Buffer.concat([
      Buffer.from([0x50, 0x2a, 0x4d, 0x18]),
      le32(3),
      Buffer.from('zzz'),
      simple,
    ]);
    assert.equal(decompressSync(CompressionCodec.Lz4, skippable).toString(), expected);
  });

  test('a wrong header checksum is rejected', () => {
    const frame = lz4Frame(0x60, 0x40, [le32(block.length), block, le32(0)]);
    frame[6]! ^= 0xff;
    assertDecodeError(() => decompressSync(CompressionCodec.Lz4, frame), 'ERR_BAD_RECORD_BATCH');
  });

  test('our output: standard frame, independent blocks, no optional fields', () => {
    const out = compressSync(CompressionCodec.Lz4, Buffer.from('kafka '.repeat(100_000)));
    assert.equal(out.readUInt32LE(0), 0x184d2204);
    const flags = out[4]!;
    assert.equal(flags >> 6, 1, 'version 01');
    assert.equal(flags & 0x20, 0x20, 'block independence');
    assert.equal(flags & 0x0d, 0, 'no content size, content checksum or dict id');
    assert.equal((xxh32(out.subarray(4, 6)) >>> 8) & 0xff, out[6]);
    assert.equal(out.readUInt32LE(out.length - 4), 0, 'ends with the end mark');
  });

  test('reads and is read by the @platformatic/kafka (wasm) lz4', () => {
    const data = Buffer.from('platformatic lz4 '.repeat(500));
    assert.deepEqual(decompressSync(CompressionCodec.Lz4, Buffer.from(wasm.lz4Compress(data))), data);
    assert.deepEqual(Buffer.from(wasm.lz4Decompress(compressSync(CompressionCodec.Lz4, data))), data);
  });

  test('a declared content size beyond the limit is refused before decoding', () => {
    const size = Buffer.alloc(8);
    size.writeUInt32LE(0xffffffff, 0);
    size.writeUInt32LE(0xffff, 4);
    const frame = lz4Frame(0x68, 0x40, [le32(block.length), block, le32(0)], size);
    assert.ok(
      assertDecodeError(() => decompressSync(CompressionCodec.Lz4, frame)) instanceof DecompressionLimitError,
    );
  });
});

describe('zstd frames', () => {
  test('frames from the zstd library at other levels and concatenated frames decode', () => {
    const data = Buffer.from('zstandard '.repeat(5000));
    for (const level of [1, 9, 19]) {
      assert.deepEqual(
        decompressSync(CompressionCodec.Zstd, zstdCompress(data, { compressionLevel: level })),
        data,
      );
    }
    const joined = Buffer.concat([zstdCompress(Buffer.from('ab')), zstdCompress(Buffer.from('cd'))]);
    assert.equal(decompressSync(CompressionCodec.Zstd, joined).toString(), 'abcd');
  });

  test('the decoder stays usable after a failure', () => {
    const good = compressSync(CompressionCodec.Zstd, Buffer.from('recover '.repeat(100)));
    assertDecodeError(() => decompressSync(CompressionCodec.Zstd, good.subarray(0, 10)));
    assert.equal(decompressSync(CompressionCodec.Zstd, good).toString(), 'recover '.repeat(100));
  });
});
