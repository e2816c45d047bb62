import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FetchRequest, MetadataRequest, RequestHeader } from '../../../src/protocol/generated/index.js';
import { ProtocolDecodeError, ProtocolEncodeError } from '../../../src/protocol/primitives/errors.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { ShapeArbitraries } from './arbitraries.js';
import { codecFor, shapes } from './shapes.js';

function decodeError(run: () => unknown): ProtocolDecodeError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ProtocolDecodeError, `expected a ProtocolDecodeError, got ${String(error)}`);
    return error;
  }
  assert.fail('decoding succeeded');
}

test('versions outside the range are refused on decode and on encode', () => {
  assert.equal(
    decodeError(() => FetchRequest.decode(new Reader(Buffer.alloc(64)), 18)).code,
    'ERR_UNSUPPORTED_VERSION',
  );
  assert.throws(() => FetchRequest.encode(new Writer(), FetchRequest.create(), -1), ProtocolEncodeError);
});

test('a null array where the version does not allow one is a decode error, and an encode error', () => {
  // MetadataRequest v0 topics are not nullable: count -1 is malformed.
  assert.equal(
    decodeError(() => MetadataRequest.decode(new Reader(Buffer.from('ffffffff', 'hex')), 0)).code,
    'ERR_NULL_NOT_ALLOWED',
  );
  // From v1 the same bytes mean "all topics".
  assert.equal(MetadataRequest.decode(new Reader(Buffer.from('ffffffff', 'hex')), 1).topics, null);
  assert.throws(
    () => MetadataRequest.encode(new Writer(), MetadataRequest.create({ topics: null }), 0),
    /not nullable/,
  );
});

test('a known tagged field whose size disagrees with its content is rejected', () => {
  // RequestHeader v2 would be fine; use FetchRequest v12 with tag 0 (clusterId) of declared size 3
  // holding a 1-byte compact string ("" -> 0x01) plus 2 stray bytes.
  const body = 'ffffffff000001f4000000017fffffff0000000000ffffffff010101';
  const bytes = Buffer.from(`${body}01000301aaaa`, 'hex');
  assert.equal(decodeError(() => FetchRequest.decode(new Reader(bytes), 12)).code, 'ERR_TRAILING_BYTES');
});

test('truncated input fails with ProtocolDecodeError for every message and version', () => {
  for (const shape of shapes) {
    const codec = codecFor(shape);
    const arbitraries = new ShapeArbitraries(shape);
    for (let version = shape.versions[0]; version <= shape.versions[1]; version++) {
      const [value] = fc.sample(arbitraries.root(version), { numRuns: 1, seed: version });
      const writer = new Writer();
      codec.encode(writer, value, version);
      const bytes = Buffer.from(writer.toBuffer());
      if (bytes.length === 0) continue;
      const cut = bytes.subarray(0, bytes.length - 1);
      decodeError(() => codec.decode(new Reader(cut), version));
    }
  }
});

test('random bytes never crash a decoder with anything but ProtocolDecodeError', () => {
  const header = RequestHeader;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 2 }), (bytes, version) => {
      for (const codec of [header, FetchRequest, MetadataRequest]) {
        const v = Math.min(version + (codec === header ? 0 : 10), codec.highestVersion);
        try {
          codec.decode(new Reader(Buffer.from(bytes)), v);
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, String(error));
        }
      }
    }),
    { numRuns: 500 },
  );
});
