import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_DEFINITIONS,
  ApiKey,
  Apis,
  apiDefinition,
  FetchRequest,
  FetchResponse,
} from '../../../src/protocol/generated/index.js';

test("ApiKey carries Kafka's numbers", () => {
  assert.equal(ApiKey.Produce, 0);
  assert.equal(ApiKey.Fetch, 1);
  assert.equal(ApiKey.Metadata, 3);
  assert.equal(ApiKey.ApiVersions, 18);
  assert.equal(ApiKey.InitProducerId, 22);
  assert.equal(ApiKey.DescribeTopicPartitions, 75);
});

test('the table holds every API once, ordered by key, with its request and response codecs', () => {
  const keys = API_DEFINITIONS.map((api) => api.apiKey);
  assert.deepEqual(
    keys,
    [...keys].sort((a, b) => a - b),
  );
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(keys.length, Object.keys(ApiKey).length);
  for (const api of API_DEFINITIONS) {
    assert.equal(api.request.apiKey, api.apiKey);
    assert.equal(api.response.apiKey, api.apiKey);
    assert.equal(api.request.name, `${api.name}Request`);
    assert.equal(api.lowestVersion, api.request.lowestVersion);
    assert.equal(api.highestVersion, api.response.highestVersion);
    assert.equal(apiDefinition(api.apiKey), api);
  }
  assert.equal(apiDefinition(9999), undefined);
  assert.equal(Apis.Fetch.request, FetchRequest);
  assert.equal(Apis.Fetch.response, FetchResponse);
});

test('header versions follow flexibility, with the ApiVersions and ControlledShutdown exceptions', () => {
  assert.equal(Apis.Fetch.requestHeaderVersion(11), 1);
  assert.equal(Apis.Fetch.requestHeaderVersion(12), 2);
  assert.equal(Apis.Fetch.responseHeaderVersion(11), 0);
  assert.equal(Apis.Fetch.responseHeaderVersion(12), 1);
  assert.equal(Apis.Metadata.requestHeaderVersion(9), 2);
  assert.equal(Apis.ApiVersions.requestHeaderVersion(3), 2);
  assert.equal(Apis.ApiVersions.responseHeaderVersion(3), 0);
  assert.equal(Apis.ApiVersions.responseHeaderVersion(4), 0);
  assert.equal(Apis.ControlledShutdown.requestHeaderVersion(0), 0);
  assert.equal(Apis.ControlledShutdown.requestHeaderVersion(1), 1);
  assert.equal(Apis.SaslHandshake.requestHeaderVersion(1), 1);
  assert.equal(Apis.SaslHandshake.responseHeaderVersion(1), 0);
});
