import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { ShapeArbitraries } from './arbitraries.js';
import { codecFor, shapes } from './shapes.js';

// Enough runs to hit every nullable/tagged/version branch of each message; the whole file stays
// well under a minute on two cores.
const RUNS = Number(process.env['SAMSA_ROUND_TRIP_RUNS'] ?? 100);

function encode(codec: ReturnType<typeof codecFor>, value: unknown, version: number): Buffer {
  const writer = new Writer(64);
  codec.encode(writer, value, version);
  // Copy: large byte fields are referenced, and the decoded views must outlive the writer.
  return Buffer.from(writer.toBuffer());
}

describe('generated codecs round-trip every version', () => {
  for (const shape of shapes) {
    test(`${shape.internal ? 'internal/' : ''}${shape.name} v${shape.versions[0]}-${shape.versions[1]}`, () => {
      const codec = codecFor(shape);
      assert.equal(codec.lowestVersion, shape.versions[0]);
      assert.equal(codec.highestVersion, shape.versions[1]);
      const arbitraries = new ShapeArbitraries(shape);
      for (let version = shape.versions[0]; version <= shape.versions[1]; version++) {
        fc.assert(
          fc.property(arbitraries.root(version), (value) => {
            const bytes = encode(codec, value, version);
            const reader = new Reader(bytes);
            const decoded = codec.decode(reader, version);
            assert.equal(
              reader.offset,
              bytes.length,
              `v${version} left ${bytes.length - reader.offset} bytes`,
            );
            assert.deepStrictEqual(decoded, value);
            assert.deepStrictEqual(encode(codec, decoded, version), bytes);
          }),
          { numRuns: RUNS, seed: Number(process.env['SAMSA_SEED'] ?? 0x5a45a) + version },
        );
      }
    });
  }

  test('create() gives the defaults, which encode and decode unchanged at every version', () => {
    for (const shape of shapes) {
      const codec = codecFor(shape);
      const defaults = new ShapeArbitraries(shape).defaultStruct(shape.name);
      assert.deepStrictEqual(codec.create(), defaults, shape.name);
      for (let version = shape.versions[0]; version <= shape.versions[1]; version++) {
        const value = codec.create();
        let bytes: Buffer;
        try {
          bytes = encode(codec, value, version);
        } catch (error) {
          // A default null is unencodable only where the spec makes the field non-nullable.
          assert.match(String(error), /not nullable/, `${shape.name} v${version}`);
          continue;
        }
        assert.deepStrictEqual(codec.decode(new Reader(bytes), version), value, `${shape.name} v${version}`);
      }
    }
  });
});
