import type { Router } from '../router.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { createTopicsHandler } from './19-create-topics.js';
import { deleteTopicsHandler } from './20-delete-topics.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { describeConfigsHandler } from './32-describe-configs.js';
import { alterConfigsHandler } from './33-alter-configs.js';
import { describeLogDirsHandler } from './35-describe-log-dirs.js';
import { createPartitionsHandler } from './37-create-partitions.js';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js';
import { describeClusterHandler } from './60-describe-cluster.js';

/** Registers every API the broker serves; ApiVersions advertises exactly these. */
export function registerHandlers(router: Router): Router {
  router.register(produceHandler);
  router.register(fetchHandler);
  router.register(listOffsetsHandler);
  router.register(createTopicsHandler);
  router.register(deleteTopicsHandler);
  router.register(deleteRecordsHandler);
  router.register(describeConfigsHandler);
  router.register(alterConfigsHandler);
  router.register(describeLogDirsHandler);
  router.register(createPartitionsHandler);
  router.register(incrementalAlterConfigsHandler);
  return router.register(metadataHandler).register(apiVersionsHandler).register(describeClusterHandler);
}
