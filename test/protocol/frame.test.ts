import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeRequestFrame,
  encodeResponseFrame,
  FrameDecoder,
  FrameSizeError,
  parseRequestHeader,
  parseResponseHeader,
  peekRequestApi,
} from '../../src/protocol/frame.js';
import { ProtocolDecodeError } from '../../src/protocol/primitives/errors.js';

function sizePrefixed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

function prefixOnly(size: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size, 0);
  return prefix;
}

function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) for (const frame of decoder.feed(chunk)) frames.push(Buffer.from(frame));
  return frames;
}

/** Cuts `stream` at the given (sorted, deduplicated) positions. */
function cut(stream: Buffer, positions: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(stream.subarray(start, position));
    start = position;
  }
  chunks.push(stream.subarray(start));
  return chunks;
}

const bodies = fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 8 });

describe('FrameDecoder', () => {
  test('a stream split at every single byte boundary yields the same frames', () => {
    const frames = [
      Buffer.from('first frame'),
      Buffer.alloc(0),
      Buffer.from([1, 2, 3]),
      Buffer.alloc(300, 7),
    ];
    const stream = Buffer.concat(frames.map(sizePrefixed));
    for (let position = 0; position <= stream.length; position++) {
      const decoded = decodeAll(new FrameDecoder(), cut(stream, [position]));
      assert.deepEqual(decoded, frames, `split at ${position}`);
    }
    assert.deepEqual(
      decodeAll(
        new FrameDecoder(),
        [...stream].map((byte) => Buffer.from([byte])),
      ),
      frames,
      'one byte per chunk',
    );
  });

  test('any chunking of any frame sequence yields the frames in order (property)', () => {
    fc.assert(
      fc.property(bodies, fc.array(fc.nat(), { maxLength: 20 }), (raw, cuts) => {
        const frames = raw.map((body) => Buffer.from(body));
        const stream = Buffer.concat(frames.map(sizePrefixed));
        const positions = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const decoder = new FrameDecoder();
        assert.deepEqual(decodeAll(decoder, cut(stream, positions)), frames);
        assert.equal(decoder.bufferedBytes, 0);
        assert.equal(decoder.pendingFrameSize, null);
      }),
      { numRuns: 500 },
    );
  });

  test('many frames in one chunk come out one by one', () => {
    const frames = Array.from({ length: 1000 }, (_, i) => Buffer.from(`frame ${i}`));
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat(frames.map(sizePrefixed)));
    for (const expected of frames) assert.deepEqual(decoder.next(), expected);
    assert.equal(decoder.next(), null);
  });

  test('a frame inside one chunk is a view of it; one spanning chunks is a copy', () => {
    const chunk = Buffer.concat([sizePrefixed(Buffer.from('abcdef')), sizePrefixed(Buffer.from('ghij'))]);
    const decoder = new FrameDecoder();
    decoder.push(chunk.subarray(0, 13)); // first frame and 3 bytes of the second prefix
    const first = decoder.next()!;
    assert.equal(first.toString(), 'abcdef');
    chunk[4] = 0x41; // 'a' becomes 'A' in the chunk
    assert.equal(first.toString(), 'Abcdef', 'shares memory with the chunk');
    assert.equal(decoder.next(), null);
    decoder.push(chunk.subarray(13, 16));
    decoder.push(chunk.subarray(16));
    const second = decoder.next()!;
    assert.equal(second.toString(), 'ghij');
    chunk[16] = 0x48;
    assert.equal(second.toString(), 'ghij', 'assembled from two chunks into its own buffer');
  });

  test('an oversized prefix fails as soon as its four bytes are in, split or not', () => {
    for (let split = 0; split <= 4; split++) {
      const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
      const prefix = prefixOnly(1001);
      decoder.push(prefix.subarray(0, split));
      if (split < 4) assert.equal(decoder.next(), null);
      decoder.push(prefix.subarray(split));
      assert.throws(
        () => decoder.next(),
        (error: unknown) =>
          error instanceof FrameSizeError &&
          error.code === 'ERR_FRAME_TOO_LARGE' &&
          error.size === 1001 &&
          error.maxFrameBytes === 1000,
      );
      assert.equal(decoder.bufferedBytes, 0, 'nothing kept after the failure');
      assert.throws(() => decoder.next(), FrameSizeError, 'stays failed');
      assert.throws(() => decoder.push(Buffer.from([0])), FrameSizeError);
    }
  });

  test('a negative prefix fails', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat([prefixOnly(-1), Buffer.from('junk')]));
    assert.throws(
      () => decoder.next(),
      (error: unknown) => error instanceof FrameSizeError && error.code === 'ERR_FRAME_NEGATIVE_SIZE',
    );
  });

  test('the maximum itself is accepted', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 10 });
    decoder.push(sizePrefixed(Buffer.alloc(10, 1)));
    assert.equal(decoder.next()?.length, 10);
  });

  test('the default maximum is socket.request.max.bytes and the declared size is not preallocated', () => {
    const decoder = new FrameDecoder();
    assert.equal(decoder.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    const before = process.memoryUsage().arrayBuffers;
    const decoders = Array.from({ length: 20 }, () => new FrameDecoder());
    for (const d of decoders) {
      d.push(Buffer.concat([prefixOnly(DEFAULT_MAX_FRAME_BYTES), Buffer.alloc(16)]));
      assert.equal(d.next(), null);
      assert.equal(d.pendingFrameSize, DEFAULT_MAX_FRAME_BYTES);
      assert.equal(d.bufferedBytes, 16);
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    // 20 preallocated bodies would be 2 GB; allow generous slack for unrelated allocations.
    assert.ok(grown < 50 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  });

  test('rejects a maximum that an int32 prefix cannot express', () => {
    assert.throws(() => new FrameDecoder({ maxFrameBytes: 2 ** 31 }), RangeError);
    assert.throws(() => new FrameDecoder({ maxFrameBytes: -1 }), RangeError);
  });
});

describe('request headers', () => {
  const body = Buffer.from('request body');

  test('v0, v1 and v2 round trip through encodeRequestFrame', () => {
    for (const headerVersion of [0, 1, 2] as const) {
      const taggedFields = headerVersion === 2 ? [{ tag: 3, data: Buffer.from([9, 9]) }] : [];
      const frame = Buffer.concat(
        encodeRequestFrame(
          { apiKey: 3, apiVersion: 12, correlationId: -7, clientId: 'my-client', taggedFields },
          headerVersion,
          [body],
        ),
      );
      assert.equal(frame.readInt32BE(0), frame.length - 4);
      const payload = frame.subarray(4);
      const header = parseRequestHeader(payload, headerVersion);
      assert.equal(header.apiKey, 3);
      assert.equal(header.apiVersion, 12);
      assert.equal(header.correlationId, -7);
      assert.equal(header.clientId, headerVersion === 0 ? null : 'my-client');
      assert.deepEqual(header.taggedFields, taggedFields);
      assert.deepEqual(payload.subarray(header.bodyOffset), body);
      assert.deepEqual(peekRequestApi(payload), { apiKey: 3, apiVersion: 12, correlationId: -7 });
    }
  });

  test('in v2 the client id is an int16-length string, not a compact one', () => {
    const payload = Buffer.from([
      0,
      18,
      0,
      3,
      0,
      0,
      0,
      5, // key 18, version 3, correlation id 5
      0,
      2,
      0x61,
      0x62, // client id "ab" with an int16 length
      0, // no tagged fields
      0xee, // body
    ]);
    const header = parseRequestHeader(payload, 2);
    assert.equal(header.clientId, 'ab');
    assert.deepEqual(header.taggedFields, []);
    assert.equal(header.bodyOffset, 13);
  });

  test('a null client id', () => {
    const payload = Buffer.from([0, 1, 0, 4, 0, 0, 0, 1, 0xff, 0xff]);
    const header = parseRequestHeader(payload, 1);
    assert.equal(header.clientId, null);
    assert.equal(header.bodyOffset, 10);
  });

  test('truncated or malformed headers raise ProtocolDecodeError, never something else', () => {
    assert.throws(
      () => peekRequestApi(Buffer.from([0, 1, 0])),
      (error: unknown) => error instanceof ProtocolDecodeError && error.code === 'ERR_TRUNCATED',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.constantFrom(0, 1, 2), (bytes, version) => {
        try {
          const header = parseRequestHeader(Buffer.from(bytes), version as 0 | 1 | 2);
          assert.ok(header.bodyOffset <= bytes.length);
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('response frames', () => {
  test('v0 is size and correlation id; the body chunks are referenced, not copied', () => {
    const parts = [Buffer.from('ab'), Buffer.alloc(5000, 1)];
    const frame = encodeResponseFrame(42, 0, parts);
    assert.equal(frame.length, 3);
    assert.equal(frame[1], parts[0]);
    assert.equal(frame[2], parts[1]);
    assert.deepEqual(frame[0], Buffer.from([0, 0, 0x13, 0x8e, 0, 0, 0, 42])); // size 4 + 5002
  });

  test('v1 adds an empty tagged-field section', () => {
    const frame = Buffer.concat(encodeResponseFrame(-1, 1, [Buffer.from([7])]));
    assert.deepEqual(frame, Buffer.from([0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0, 7]));
    const header = parseResponseHeader(frame.subarray(4), 1);
    assert.equal(header.correlationId, -1);
    assert.deepEqual(header.taggedFields, []);
    assert.equal(header.bodyOffset, 5);
  });

  test('round trips through the decoder', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        bodies,
        fc.constantFrom(0, 1),
        (id, raw, v) => {
          const version = v as 0 | 1;
          const chunks = raw.map((body) => Buffer.from(body));
          const decoder = new FrameDecoder();
          decoder.push(Buffer.concat(encodeResponseFrame(id, version, chunks)));
          const frame = decoder.next()!;
          const header = parseResponseHeader(frame, version);
          assert.equal(header.correlationId, id);
          assert.deepEqual(frame.subarray(header.bodyOffset), Buffer.concat(chunks));
        },
      ),
    );
  });
});
