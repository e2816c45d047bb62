import type { Router } from '../router.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { describeClusterHandler } from './60-describe-cluster.js';

/** Registers every API the broker serves; ApiVersions advertises exactly these. */
export function registerHandlers(router: Router): Router {
  router.register(produceHandler);
  router.register(fetchHandler);
  router.register(listOffsetsHandler);
  return router.register(metadataHandler).register(apiVersionsHandler).register(describeClusterHandler);
}
