import assert from 'node:assert/strict';
import { closeSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type FrameHandler, respondAndClose } from '../../../src/broker/net/handler.js';
import { encodeResponseFrame, parseRequestHeader } from '../../../src/protocol/frame.js';
import { FileRegion } from '../../../src/util/file-region.js';
import { nativeFiles } from '../../../src/util/sendfile.js';
import { eventually, requestFrame, startServer, TestClient } from './helpers.js';

const native = nativeFiles();

/** A file of `size` bytes where byte i is a letter depending on i, so any shift shows. */
function patterned(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = 0x61 + ((i * 7 + Math.floor(i / 4096)) % 26);
  return bytes;
}

/**
 * Responses holding file regions go out with sendfile, in order with the responses around them,
 * byte for byte; a region is released once sent or dropped; a failed send closes the connection
 * and nothing else.
 */
describe('file regions in responses', { skip: native === undefined ? 'sendfile needs Linux' : false }, () => {
  const FILE_SIZE = 24 * 1024 * 1024;
  const content = patterned(FILE_SIZE);
  let dir: string;
  let path: string;
  let fd: number;
  const regions: FileRegion[] = [];
  let sawSendsFiles: boolean | undefined;

  /**
   * `file:position:length` answers `<` + those bytes of the file + `>`; `echo:x` answers itself;
   * `gone:length` answers a region of a file already unlinked; `last:position:length` answers like
   * `file` and then closes the connection.
   */
  const handler: FrameHandler = (frame, connection) => {
    sawSendsFiles = connection.sendsFiles;
    const header = parseRequestHeader(frame, 1);
    const body = frame.subarray(header.bodyOffset).toString();
    const [command, first, second] = body.split(':');
    if (command === 'file' || command === 'last') {
      const region = new FileRegion(native!.duplicate(fd), Number(first), Number(second));
      regions.push(region);
      const frame = encodeResponseFrame(header.correlationId, 0, [
        Buffer.from('<'),
        region,
        Buffer.from('>'),
      ]);
      return command === 'last' ? respondAndClose(frame) : frame;
    }
    if (command === 'gone') {
      const goner = join(dir, `gone-${regions.length}`);
      writeFileSync(goner, content.subarray(0, Number(first)));
      const goneFd = openSync(goner, 'r');
      const region = new FileRegion(native!.duplicate(goneFd), 0, Number(first));
      closeSync(goneFd);
      unlinkSync(goner);
      regions.push(region);
      return encodeResponseFrame(header.correlationId, 0, [region]);
    }
    return encodeResponseFrame(header.correlationId, 0, [Buffer.from(body)]);
  };

  let server: Awaited<ReturnType<typeof startServer>>['server'];
  let port: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'samsa-regions-'));
    path = join(dir, 'data');
    writeFileSync(path, content);
    fd = openSync(path, 'r');
    ({ server, port } = await startServer({ handler, sendFiles: true }));
  });

  after(async () => {
    await server.close(1000);
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  });

  const expected = (position: number, length: number) =>
    `<${content.subarray(position, position + length).toString()}>`;

  test('a region is sent byte for byte between the buffers of its frame, then released', async () => {
    const client = await TestClient.connect(port);
    const before = server.metrics.fileRegionsSent;
    client.send('file:12345:100000');
    const [response] = await client.waitForResponses(1);
    assert.equal(response!.body, expected(12345, 100_000));
    assert.equal(sawSendsFiles, true);
    assert.ok(await eventually(() => regions.at(-1)!.isReleased), 'released once sent');
    assert.equal(server.metrics.fileRegionsSent, before + 1);
    client.close();
  });

  test('responses keep request order around file regions', async () => {
    const client = await TestClient.connect(port);
    const sent = ['echo:a', 'file:0:70000', 'echo:b', 'file:5000000:3000000', 'echo:c'];
    for (const command of sent) client.send(command);
    const responses = await client.waitForResponses(sent.length, 10_000);
    assert.deepEqual(
      responses.map((response) => response.body),
      ['echo:a', expected(0, 70_000), 'echo:b', expected(5_000_000, 3_000_000), 'echo:c'],
    );
    assert.deepEqual(
      responses.map((response) => response.correlationId),
      [0, 1, 2, 3, 4],
    );
    client.close();
  });

  test('a region larger than the socket buffers waits for a slow reader and arrives intact', async () => {
    const client = await TestClient.connect(port);
    client.socket.pause();
    client.send(`file:1:${FILE_SIZE - 1}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(regions.at(-1)!.isReleased, false, 'still being sent while the client does not read');
    client.socket.resume();
    const [response] = await client.waitForResponses(1, 20_000);
    assert.equal(response!.body.length, FILE_SIZE + 1);
    assert.equal(response!.body, expected(1, FILE_SIZE - 1));
    assert.ok(await eventually(() => regions.at(-1)!.isReleased));
    client.close();
  });

  test('a response with a region that closes the connection is the last one written', {
    timeout: 10_000,
  }, async () => {
    const client = await TestClient.connect(port);
    client.write(
      Buffer.concat([
        ...requestFrame(0, 'echo:first'),
        ...requestFrame(1, 'last:0:70000'),
        ...requestFrame(2, 'echo:never'),
      ]),
    );
    await client.closed;
    assert.deepEqual(
      client.responses.map((response) => response.body),
      ['echo:first', expected(0, 70_000)],
    );
  });

  test('a region of a file unlinked since it was made is still sent', async () => {
    const client = await TestClient.connect(port);
    client.send('gone:200000');
    const [response] = await client.waitForResponses(1);
    assert.equal(response!.body, content.subarray(0, 200_000).toString());
    client.close();
  });

  test('a file shorter than its region closes that connection only', async () => {
    const failures = server.metrics.fileSendFailures;
    const client = await TestClient.connect(port);
    client.send(`file:${FILE_SIZE - 1000}:5000`);
    await client.closed;
    assert.equal(server.metrics.fileSendFailures, failures + 1);
    assert.ok(await eventually(() => regions.at(-1)!.isReleased), 'released after the failure');
    const other = await TestClient.connect(port);
    other.send('file:0:65536');
    const [response] = await other.waitForResponses(1);
    assert.equal(response!.body, expected(0, 65_536));
    other.close();
  });

  test('a client that goes away during a send releases the region and the queue behind it', async () => {
    const client = await TestClient.connect(port);
    client.socket.pause();
    client.send(`file:0:${FILE_SIZE}`);
    client.send(`file:0:${FILE_SIZE}`);
    await eventually(() => regions.length >= 2 && !regions.at(-2)!.isReleased);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pending = regions.slice(-2);
    client.close();
    assert.ok(
      await eventually(() => pending.every((region) => region.isReleased)),
      'both regions released after the client left',
    );
    const other = await TestClient.connect(port);
    other.send('echo:still-serving');
    const [response] = await other.waitForResponses(1);
    assert.equal(response!.body, 'echo:still-serving');
    other.close();
  });

  test('a server without sendFiles tells handlers its connections cannot send files', async () => {
    const plain = await startServer({ handler });
    const client = await TestClient.connect(plain.port);
    client.send('echo:x');
    await client.waitForResponses(1);
    assert.equal(sawSendsFiles, false);
    client.close();
    await plain.server.close(1000);
  });
});
