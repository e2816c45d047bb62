import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid, randomUuid, uuidFromBytes, uuidToBytes, ZERO_UUID } from '../../src/util/uuid.js';

describe('uuid', () => {
  it('renders 16 bytes as 22 base64url characters and back', () => {
    const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const id = uuidFromBytes(bytes);
    assert.equal(id.length, 22);
    assert.ok(isUuid(id));
    assert.deepEqual(uuidToBytes(id), bytes);
  });

  it('never returns the zero id, the metadata topic id, or an id starting with "-"', () => {
    const candidates = [Buffer.alloc(16), Buffer.from([...Array(15).fill(0), 1]), Buffer.alloc(16, 0xf8)];
    const fresh = Buffer.alloc(16, 7);
    let call = 0;
    const id = randomUuid(() => candidates[call++] ?? fresh);
    assert.equal(call, 4);
    assert.equal(id, uuidFromBytes(fresh));
    assert.notEqual(randomUuid(), ZERO_UUID);
  });

  it('rejects strings that are not ids', () => {
    assert.equal(isUuid('short'), false);
    assert.equal(isUuid('AAAAAAAAAAAAAAAAAAAAAB'), false); // last character carries only 2 bits
    assert.throws(() => uuidToBytes('not-an-id'), RangeError);
  });
});
