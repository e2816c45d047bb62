import { encodeResponseFrame, parseRequestHeader, peekRequestApi } from '../protocol/frame.js';
import { type ApiDefinition, ApiKey, apiDefinition } from '../protocol/generated/api-keys.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { ProtocolDecodeError } from '../protocol/primitives/errors.js';
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import type { FramePiece } from '../util/file-region.js';
import type { BrokerContext, SupportedApi } from './context.js';
import type { AnyApiHandler, ApiHandler, RequestContext } from './handlers/handler.js';
import { CLOSE_CONNECTION, type ConnectionInfo, type HandlerResult } from './net/handler.js';

/**
 * Maps a request frame to its handler: reads the header, decodes the body with the generated codec,
 * calls the handler and encodes its response with the right response header version.
 *
 * Like Apache Kafka, a request for an API or version we do not serve closes the connection, except
 * ApiVersions, which is answered as v0 with UNSUPPORTED_VERSION and our ranges so that the client
 * can pick a version it shares with us. A body that does not decode closes the connection too.
 */
export class Router {
  private readonly handlers = new Map<number, AnyApiHandler>();
  private apiList: SupportedApi[] = [];

  constructor(private readonly broker: () => BrokerContext) {}

  register<Request, Response>(handler: ApiHandler<Request, Response>): this {
    const { api, minVersion, maxVersion } = handler;
    if (minVersion < api.lowestVersion || maxVersion > api.highestVersion || minVersion > maxVersion) {
      throw new Error(
        `${api.name} handler serves ${minVersion}-${maxVersion}, outside ${api.lowestVersion}-${api.highestVersion}`,
      );
    }
    this.handlers.set(api.apiKey, handler as unknown as AnyApiHandler);
    this.apiList = [...this.handlers.values()]
      .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    return this;
  }

  /** The APIs and versions this broker serves, as ApiVersions advertises them. */
  supportedApis(): readonly SupportedApi[] {
    return this.apiList;
  }

  readonly handleFrame = (
    frame: Buffer,
    connection: ConnectionInfo,
  ): HandlerResult | Promise<HandlerResult> => {
    const { apiKey, apiVersion, correlationId } = peekRequestApi(frame);
    const handler = this.handlers.get(apiKey);
    const api = apiDefinition(apiKey);
    if (handler === undefined || api === undefined) {
      this.broker().logger.warn(
        { apiKey, apiVersion, connection: connection.id },
        'request for an unknown API key; closing',
      );
      return CLOSE_CONNECTION;
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(correlationId);
      this.broker().logger.warn(
        { api: api.name, apiVersion, connection: connection.id },
        `unsupported ${api.name} version ${apiVersion} (serving ${handler.minVersion}-${handler.maxVersion}); closing`,
      );
      return CLOSE_CONNECTION;
    }
    const header = parseRequestHeader(frame, api.requestHeaderVersion(apiVersion));
    let request: unknown;
    try {
      request = api.request.decode(new Reader(frame, header.bodyOffset), apiVersion);
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error;
      this.broker().logger.warn(
        { api: api.name, apiVersion, connection: connection.id, code: error.code },
        `malformed ${api.name} request: ${error.message}; closing`,
      );
      return CLOSE_CONNECTION;
    }
    const context: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      connection,
      broker: this.broker(),
    };
    const result = handler.handle(request, context);
    if (result instanceof Promise)
      return result.then((response) => this.respond(api, apiVersion, correlationId, response));
    return this.respond(api, apiVersion, correlationId, result);
  };

  private respond(
    api: ApiDefinition,
    apiVersion: number,
    correlationId: number,
    response: unknown,
  ): readonly FramePiece[] | null {
    if (response === null) return null;
    const writer = new Writer();
    api.response.encode(writer, response, apiVersion);
    return encodeResponseFrame(correlationId, api.responseHeaderVersion(apiVersion), writer.pieces());
  }

  /** An ApiVersions request of a version we do not know: a v0 body with error 35 and our ranges. */
  private unsupportedApiVersions(correlationId: number): readonly FramePiece[] {
    const body = ApiVersionsResponse.create({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.apiList.map((api) => ({ ...api })),
    });
    const writer = new Writer();
    ApiVersionsResponse.encode(writer, body, 0);
    return encodeResponseFrame(correlationId, 0, writer.chunks());
  }
}
