/**
 * Counters of the network layer, plain fields so that a metrics exporter can read them without
 * the hot path paying for callbacks. All counters only grow, except `activeConnections`.
 */
export class NetMetrics {
  activeConnections = 0;
  connectionsAccepted = 0;
  /** Sockets closed at once because `maxConnections` was reached. */
  connectionsRejected = 0;
  connectionsClosed = 0;
  /** Connections closed by the idle timeout. */
  idleTimeouts = 0;
  /** Frames with a negative or oversized size prefix. */
  frameErrors = 0;
  /** Handlers that threw or rejected. */
  handlerErrors = 0;
  requests = 0;
  responses = 0;
  /** Socket writes of responses; responses / responseWrites is how many share one write. */
  responseWrites = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** File regions written with sendfile (Fetch records), and their bytes (part of bytesOut). */
  fileRegionsSent = 0;
  fileBytesSent = 0;
  /** Responses holding file regions that failed part way (the connection was destroyed). */
  fileSendFailures = 0;
  /** Times a connection stopped reading because of backpressure. */
  readPauses = 0;
}
