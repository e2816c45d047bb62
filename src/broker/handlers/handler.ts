import type { ApiDefinition } from '../../protocol/generated/api-keys.js';
import type { BrokerContext } from '../context.js';
import type { ConnectionInfo } from '../net/handler.js';

/** What a handler knows about the request it serves, beside the decoded body. */
export interface RequestContext {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionInfo;
  readonly broker: BrokerContext;
}

/**
 * One handler per API key (src/broker/handlers/NN-name.ts). It names the versions it serves; the
 * router derives ApiVersions from these, so advertising and serving cannot drift apart.
 * Returning null sends no response (acks=0 Produce).
 */
export interface ApiHandler<Request, Response> {
  readonly api: ApiDefinition<Request, Response>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: Request, context: RequestContext): Response | null | Promise<Response | null>;
}

/** Keeps the request and response types of a handler tied to its API definition. */
export function defineHandler<Request, Response>(
  handler: ApiHandler<Request, Response>,
): ApiHandler<Request, Response> {
  return handler;
}

/** A handler stored type-erased by the router; each is still checked against its own API above. */
export type AnyApiHandler = ApiHandler<unknown, unknown>;
