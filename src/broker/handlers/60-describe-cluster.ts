/**
 * DescribeCluster (key 60), versions 0-1. Every Samsa broker is also the controller in
 * single-node mode, so both endpoint types (1 brokers, 2 controllers) list the same nodes.
 * Not implemented: ACLs (authorized operations report everything allowed when asked for).
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { defineHandler } from './handler.js';

const BROKERS = 1;
const CONTROLLERS = 2;

export const describeClusterHandler = defineHandler({
  api: Apis.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const image = context.broker.image();
    const endpointType = context.apiVersion >= 1 ? request.endpointType : BROKERS;
    if (endpointType !== BROKERS && endpointType !== CONTROLLERS) {
      return Apis.DescribeCluster.response.create({
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Unknown endpoint type ${endpointType}`,
        endpointType,
        clusterId: image.clusterId,
      });
    }
    return Apis.DescribeCluster.response.create({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType,
      clusterId: image.clusterId,
      controllerId: image.controllerId,
      brokers: [...image.brokers.values()].map((registration) => ({
        brokerId: registration.id,
        host: registration.host,
        port: registration.port,
        rack: registration.rack,
      })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : OPERATIONS_NOT_REQUESTED,
    });
  },
});
