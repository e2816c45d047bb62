/** Samsa's public API for embedding and tests. */
export {
  Broker,
  type BrokerOptions,
  type StartBrokerOptions,
  type StartedBroker,
  startBroker,
} from './broker/broker.js';
export { type BrokerConfig, loadBrokerConfig } from './broker/config.js';
