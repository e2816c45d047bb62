/**
 * ApiVersions (key 18), versions 0-4. The advertised ranges come from the registered handlers
 * (Router.supportedApis). The response header is always v0, even for the flexible v3+ bodies.
 * An unknown version is answered by the router itself (v0 body, UNSUPPORTED_VERSION, our ranges).
 * Not implemented: feature flags (supported/finalized features stay empty).
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

/** Connection state key under which the client's software name and version are kept (v3+). */
export const CLIENT_SOFTWARE = 'clientSoftware';

export const apiVersionsHandler = defineHandler({
  api: Apis.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle(request, context) {
    if (context.apiVersion >= 3) {
      context.connection.state.set(CLIENT_SOFTWARE, {
        name: request.clientSoftwareName,
        version: request.clientSoftwareVersion,
      });
    }
    return Apis.ApiVersions.response.create({
      errorCode: ErrorCode.NONE,
      apiKeys: context.broker.supportedApis().map((api) => ({ ...api })),
      throttleTimeMs: 0,
    });
  },
});
