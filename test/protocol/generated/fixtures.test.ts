import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  Apis,
  ApiVersionsRequest,
  DescribeTopicPartitionsRequest,
  FetchRequest,
  MetadataRequest,
  RequestHeader,
  ResponseHeader,
} from '../../../src/protocol/generated/index.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';

const fixtures = new URL('../../fixtures/protocol/', import.meta.url);

function loadFrame(name: string): Buffer | undefined {
  const url = new URL(name, fixtures);
  if (!existsSync(url)) return undefined;
  return Buffer.from(readFileSync(url, 'utf8').trim(), 'hex');
}

/** Decodes a size-prefixed request frame as header + ApiVersions body, and encodes it back. */
function roundTripApiVersions(frame: Buffer) {
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const reader = new Reader(frame, 4);
  const apiVersion = frame.readInt16BE(6);
  const headerVersion = Apis.ApiVersions.requestHeaderVersion(apiVersion);
  const header = RequestHeader.decode(reader, headerVersion);
  const body = ApiVersionsRequest.decode(reader, header.requestApiVersion);
  reader.expectEnd('ApiVersions request');
  const writer = new Writer();
  writer.int32(0);
  RequestHeader.encode(writer, header, headerVersion);
  ApiVersionsRequest.encode(writer, body, header.requestApiVersion);
  const encoded = Buffer.from(writer.toBuffer());
  encoded.writeInt32BE(encoded.length - 4, 0);
  assert.deepEqual(encoded, frame, 're-encoded frame differs from the captured one');
  return { headerVersion, header, body };
}

describe('ApiVersions requests captured from real clients', () => {
  test('kafkajs 2.2.4 sends ApiVersions v2 with request header v1', () => {
    const frame = loadFrame('kafkajs-2.2.4-api-versions-request.hex')!;
    const { headerVersion, header, body } = roundTripApiVersions(frame);
    assert.equal(headerVersion, 1);
    assert.deepEqual(header, {
      requestApiKey: 18,
      requestApiVersion: 2,
      correlationId: 0,
      clientId: 'samsa-fixture',
    });
    assert.deepEqual(body, { clientSoftwareName: '', clientSoftwareVersion: '' });
  });

  test('@platformatic/kafka 1.35 sends flexible ApiVersions v3 with request header v2', () => {
    const frame = loadFrame('platformatic-kafka-1.35-api-versions-request.hex')!;
    const { headerVersion, header, body } = roundTripApiVersions(frame);
    assert.equal(headerVersion, 2);
    assert.deepEqual(header, {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 1,
      clientId: 'samsa-fixture',
    });
    assert.deepEqual(body, { clientSoftwareName: 'platformatic-kafka', clientSoftwareVersion: '1.35.0' });
  });

  test('kcat (librdkafka 2.0.2) sends flexible ApiVersions v3', (t) => {
    const frame = loadFrame('kcat-librdkafka-2.0.2-api-versions-request.hex');
    if (frame === undefined) {
      t.skip('no kcat fixture (kcat was not installed when fixtures were captured)');
      return;
    }
    const { header, body } = roundTripApiVersions(frame);
    assert.deepEqual(header, {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 1,
      clientId: 'samsa-fixture',
    });
    assert.deepEqual(body, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  });
});

describe('hand-checked encodings', () => {
  test('MetadataRequest v9 in a request header v2 frame', () => {
    // size 23 | key 3 | version 9 | correlation 7 | client id "adm" (int16 length, never compact)
    // | header tags: none | topics: compact count 1+1, name compact "t1", topic tags none
    // | allowAutoTopicCreation 1 | includeClusterAuthorizedOperations 0
    // | includeTopicAuthorizedOperations 0 | tags: none
    const expected = Buffer.from(
      '00000017' +
        '0003' +
        '0009' +
        '00000007' +
        '000361646d' +
        '00' +
        '02037431' +
        '00' +
        '01' +
        '00' +
        '00' +
        '00',
      'hex',
    );
    const writer = new Writer();
    writer.int32(23);
    RequestHeader.encode(
      writer,
      RequestHeader.create({ requestApiKey: 3, requestApiVersion: 9, correlationId: 7, clientId: 'adm' }),
      Apis.Metadata.requestHeaderVersion(9),
    );
    MetadataRequest.encode(
      writer,
      MetadataRequest.create({
        topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 't1' }],
        allowAutoTopicCreation: true,
      }),
      9,
    );
    assert.deepEqual(writer.toBuffer(), expected);

    const reader = new Reader(expected, 4);
    assert.equal(RequestHeader.decode(reader, 2).clientId, 'adm');
    const decoded = MetadataRequest.decode(reader, 9);
    reader.expectEnd('MetadataRequest');
    assert.deepEqual(decoded.topics, [{ topicId: '00000000-0000-0000-0000-000000000000', name: 't1' }]);
    assert.equal(decoded.allowAutoTopicCreation, true);
  });

  test('ResponseHeader v1 is the correlation id and an empty tag section; v0 has no tag section', () => {
    const v1 = new Writer();
    ResponseHeader.encode(v1, { correlationId: 7 }, 1);
    assert.equal(v1.toBuffer().toString('hex'), '0000000700');
    const v0 = new Writer();
    ResponseHeader.encode(v0, { correlationId: 7 }, 0);
    assert.equal(v0.toBuffer().toString('hex'), '00000007');
    assert.deepEqual(ResponseHeader.decode(new Reader(Buffer.from('0000000700', 'hex')), 1), {
      correlationId: 7,
    });
  });

  test('FetchRequest v12: known tagged field only when not default, merged in tag order with unknown ones', () => {
    const value = FetchRequest.create({ maxWaitMs: 500, minBytes: 1 });
    const plain = new Writer();
    FetchRequest.encode(plain, value, 12);
    // replicaId -1 | maxWait 500 | minBytes 1 | maxBytes 0x7fffffff | isolation 0 | session 0
    // | epoch -1 | topics [] | forgotten [] | rackId "" | no tags (clusterId null is the default)
    const body =
      'ffffffff' + '000001f4' + '00000001' + '7fffffff' + '00' + '00000000' + 'ffffffff' + '01' + '01' + '01';
    assert.equal(plain.toBuffer().toString('hex'), `${body}00`);

    value.clusterId = 'c';
    value.unknownTaggedFields = [{ tag: 7, data: Buffer.from([0xaa]) }];
    const tagged = new Writer();
    FetchRequest.encode(tagged, value, 12);
    // two tags: 0 (size 2: compact "c") then 7 (size 1: 0xaa)
    const bytes = tagged.toBuffer();
    assert.equal(bytes.toString('hex'), `${body}02` + '00020263' + '0701aa');
    const decoded = FetchRequest.decode(new Reader(bytes), 12);
    assert.equal(decoded.clusterId, 'c');
    assert.deepEqual(decoded.unknownTaggedFields, [{ tag: 7, data: Buffer.from([0xaa]) }]);
  });

  test('a nullable struct carries a one-byte presence marker (-1 null, 1 present)', () => {
    const encode = (cursor: { topicName: string; partitionIndex: number } | null) => {
      const writer = new Writer();
      DescribeTopicPartitionsRequest.encode(
        writer,
        DescribeTopicPartitionsRequest.create({ responsePartitionLimit: 2000, cursor }),
        0,
      );
      return writer.toBuffer().toString('hex');
    };
    // topics [] | limit 2000 | cursor | tags
    assert.equal(encode(null), '01' + '000007d0' + 'ff' + '00');
    assert.equal(
      encode({ topicName: 't', partitionIndex: 1 }),
      '01' + '000007d0' + '01027400000001' + '00' + '00',
    );
    const decoded = DescribeTopicPartitionsRequest.decode(
      new Reader(Buffer.from('01000007d0010274000000010000', 'hex')),
      0,
    );
    assert.deepEqual(decoded.cursor, { topicName: 't', partitionIndex: 1 });
  });
});
