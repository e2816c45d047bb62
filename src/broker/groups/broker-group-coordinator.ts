/**
 * The classic group coordinator as the broker runs it: configured from the broker's settings
 * under their Kafka names, storing into `__consumer_offsets` through LogGroupStorage, and owning
 * the groups whose offsets partition this broker leads.
 */

import type { GroupCoordinatorConfig } from '../../coordinator/group/config.js';
import { GroupCoordinator } from '../../coordinator/group/coordinator.js';
import type { BrokerConfig } from '../config.js';
import { LogGroupStorage } from './log-group-storage.js';
import { OffsetsTopic, type OffsetsTopicDeps } from './offsets-topic.js';

export function groupConfigFrom(config: BrokerConfig): Partial<GroupCoordinatorConfig> {
  return {
    groupInitialRebalanceDelayMs: config.get('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: config.get('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.get('group.max.session.timeout.ms'),
    groupMaxSize: config.get('group.max.size'),
    offsetsRetentionMs: config.get('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: config.get('offsets.retention.check.interval.ms'),
  };
}

export class BrokerGroupCoordinator extends GroupCoordinator {
  readonly offsetsTopic: OffsetsTopic;
  private loading: Promise<void> | undefined;

  constructor(broker: OffsetsTopicDeps) {
    const offsetsTopic = new OffsetsTopic(broker);
    super({
      config: groupConfigFrom(broker.config),
      storage: new LogGroupStorage(offsetsTopic),
      ownsGroup: (groupId) => offsetsTopic.ownsGroup(groupId),
      logger: {
        info: (message) => broker.logger.info({ component: 'group-coordinator' }, message),
        warn: (message) => broker.logger.warn({ component: 'group-coordinator' }, message),
      },
    });
    this.offsetsTopic = offsetsTopic;
  }

  /**
   * Starts loading `__consumer_offsets` in the background: until it is done, group requests are
   * answered COORDINATOR_LOAD_IN_PROGRESS (FindCoordinator: COORDINATOR_NOT_AVAILABLE), which
   * clients retry. A failed load is logged and leaves the coordinator unavailable.
   */
  startLoading(onError: (error: unknown) => void): Promise<void> {
    this.loading ??= this.start().catch(onError);
    return this.loading;
  }

  /** Resolves when the load started by `startLoading` has finished (or failed). */
  get loaded(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  override async close(): Promise<void> {
    await super.close();
    await this.loading;
  }
}
