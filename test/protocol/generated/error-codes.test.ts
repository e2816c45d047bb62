import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, ErrorCode, errorName, isRetriable } from '../../../src/protocol/generated/index.js';

test("error codes carry Kafka's numbers and names", () => {
  assert.equal(ErrorCode.NONE, 0);
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  assert.equal(ErrorCode.OFFSET_OUT_OF_RANGE, 1);
  assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100);
  assert.equal(errorName(35), 'UNSUPPORTED_VERSION');
  assert.equal(errorName(-1), 'UNKNOWN_SERVER_ERROR');
  assert.equal(errorName(12345), undefined);
  const codes = ERROR_CODES.map((info) => info.code);
  assert.equal(new Set(codes).size, codes.length);
});

test("retriable flags match Kafka's table", () => {
  assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true);
  assert.equal(isRetriable(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), true);
  assert.equal(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS), true);
  assert.equal(isRetriable(ErrorCode.NONE), false);
  assert.equal(isRetriable(ErrorCode.UNKNOWN_SERVER_ERROR), false);
  assert.equal(isRetriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED), false);
  assert.equal(isRetriable(9999), false);
});
