import assert from 'node:assert/strict';
import {
  ProtocolDecodeError,
  type ProtocolDecodeErrorCode,
} from '../../../src/protocol/primitives/errors.js';

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (value: number, bits: number) => ((value << bits) | (value >>> (32 - bits))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const add = (a: number, b: number) => (a + b) >>> 0;

/** xxHash32, written from the xxHash specification, for building LZ4 frame test vectors. */
export function xxh32(data: Buffer, seed = 0): number {
  let at = 0;
  let hash: number;
  if (data.length >= 16) {
    const lanes = [add(add(seed, P1), P2), add(seed, P2), seed >>> 0, (seed - P1) >>> 0];
    while (data.length - at >= 16) {
      for (let i = 0; i < 4; i++) {
        lanes[i] = mul(rotl(add(lanes[i]!, mul(data.readUInt32LE(at), P2)), 13), P1);
        at += 4;
      }
    }
    hash = add(add(rotl(lanes[0]!, 1), rotl(lanes[1]!, 7)), add(rotl(lanes[2]!, 12), rotl(lanes[3]!, 18)));
  } else {
    hash = add(seed, P5);
  }
  hash = add(hash, data.length);
  while (data.length - at >= 4) {
    hash = mul(rotl(add(hash, mul(data.readUInt32LE(at), P3)), 17), P4);
    at += 4;
  }
  while (at < data.length) {
    hash = mul(rotl(add(hash, mul(data[at]!, P5)), 11), P1);
    at++;
  }
  hash = mul(hash ^ (hash >>> 15), P2);
  hash = mul(hash ^ (hash >>> 13), P3);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Runs `action` and asserts it throws a ProtocolDecodeError (with `code` when given). */
export function assertDecodeError(
  action: () => unknown,
  code?: ProtocolDecodeErrorCode,
): ProtocolDecodeError {
  try {
    action();
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) {
      assert.fail(
        `expected ProtocolDecodeError, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
      );
    }
    if (code !== undefined) assert.equal(error.code, code, error.message);
    return error;
  }
  return assert.fail('expected a ProtocolDecodeError, nothing was thrown');
}

export async function assertDecodeErrorAsync(
  action: () => Promise<unknown>,
  code?: ProtocolDecodeErrorCode,
): Promise<ProtocolDecodeError> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) {
      assert.fail(
        `expected ProtocolDecodeError, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
      );
    }
    if (code !== undefined) assert.equal(error.code, code, error.message);
    return error;
  }
  return assert.fail('expected a ProtocolDecodeError, nothing was thrown');
}

/** Runs `action`; passes if it returns or throws a ProtocolDecodeError, fails on anything else. */
export function decodesOrRejects(action: () => unknown): 'ok' | 'rejected' {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (error instanceof ProtocolDecodeError) return 'rejected';
    throw error;
  }
}
