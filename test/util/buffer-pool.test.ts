import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BufferPool,
  handOver,
  isPooled,
  releaseBuffer,
  releaseHandedOver,
  retainBuffer,
} from '../../src/util/buffer-pool.js';

describe('BufferPool', () => {
  test('the last release returns the memory, which the next acquire of its size class reuses', () => {
    const pool = new BufferPool({ minBytes: 1024, maxBufferBytes: 8192, maxFreeBytes: 1 << 20 });
    const first = pool.acquire(3000);
    assert.equal(first.length, 3000);
    assert.equal(first.buffer.byteLength, 4096, 'rounded up to a power of two');
    assert.ok(isPooled(first));
    const memory = first.buffer;
    releaseBuffer(first.subarray(10, 20)); // any view of the memory releases it
    assert.ok(!isPooled(first));
    assert.equal(pool.freeByteCount, 4096);
    const second = pool.acquire(4000);
    assert.equal(second.buffer, memory, 'reused');
    assert.equal(pool.freeByteCount, 0);
    const other = pool.acquire(2000);
    assert.notEqual(other.buffer, memory, 'memory in use is never handed out twice');
    assert.equal(other.buffer.byteLength, 2048);
  });

  test('each retain needs its own release before the memory is reused', () => {
    const pool = new BufferPool({ minBytes: 1024, maxFreeBytes: 1 << 20 });
    const buffer = pool.acquire(1024);
    retainBuffer(buffer.subarray(0, 100));
    releaseBuffer(buffer);
    assert.ok(isPooled(buffer), 'one owner left');
    assert.notEqual(pool.acquire(1024).buffer, buffer.buffer);
    releaseBuffer(buffer);
    assert.ok(!isPooled(buffer));
    assert.equal(pool.acquire(1024).buffer, buffer.buffer);
  });

  test('sizes outside the pooled range, and foreign buffers, are left alone', () => {
    const pool = new BufferPool({ minBytes: 1024, maxBufferBytes: 4096, maxFreeBytes: 1 << 20 });
    const small = pool.acquire(100);
    const large = pool.acquire(5000);
    assert.ok(!isPooled(small) && !isPooled(large));
    releaseBuffer(small);
    releaseBuffer(large);
    releaseBuffer(Buffer.alloc(2048));
    retainBuffer(Buffer.alloc(2048));
    assert.equal(pool.freeByteCount, 0);
  });

  test('the free lists never hold more than maxFreeBytes', () => {
    const pool = new BufferPool({ minBytes: 1024, maxFreeBytes: 3000 });
    const buffers = [pool.acquire(1024), pool.acquire(1024), pool.acquire(1024)];
    for (const buffer of buffers) releaseBuffer(buffer);
    assert.equal(pool.freeByteCount, 2048);
  });
});

describe('handing pooled views over to a response', () => {
  test('only the very Buffer handed over is released by releaseHandedOver, once', () => {
    const pool = new BufferPool({ minBytes: 1024, maxFreeBytes: 1 << 20 });
    const buffer = pool.acquire(2048);
    const kept = buffer.subarray(0, 100);
    releaseHandedOver(kept);
    assert.ok(isPooled(buffer), 'a view never handed over is not released');
    handOver(buffer);
    releaseHandedOver(buffer);
    assert.ok(!isPooled(buffer));
    releaseHandedOver(buffer);
    assert.equal(pool.freeByteCount, 2048, 'released once');
  });
});
