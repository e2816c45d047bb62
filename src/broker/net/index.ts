export { Connection, type ConnectionLimits } from './connection.js';
export * from './handler.js';
export * from './logger.js';
export { NetMetrics } from './metrics.js';
export * from './socket-server.js';
