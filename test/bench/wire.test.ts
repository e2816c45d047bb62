import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ReusingFrameAssembler } from '../../bench/lib/wire.js';

function framed(bodies: readonly Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(body.length);
      return [prefix, body];
    }),
  );
}

describe('bench consumer frame assembly', () => {
  test('any split of the stream yields the same frames, intact until the next chunk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 2500 }), { minLength: 1, maxLength: 30 }),
        (bodies, cuts) => {
          const stream = framed(bodies.map((body) => Buffer.from(body)));
          const assembler = new ReusingFrameAssembler();
          const got: Buffer[] = [];
          let at = 0;
          let cut = 0;
          while (at < stream.length) {
            const size = cuts[cut++ % cuts.length]!;
            // Each chunk is its own Buffer, as socket reads are.
            const chunk = Buffer.from(stream.subarray(at, at + size));
            at += size;
            // A frame must stay intact until the next chunk is fed (not only while yielded).
            const frames = [...assembler.feed(chunk)];
            for (const frame of frames) got.push(Buffer.from(frame));
          }
          assert.deepEqual(
            got.map((frame) => frame.toString('hex')),
            bodies.map((body) => Buffer.from(body).toString('hex')),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
