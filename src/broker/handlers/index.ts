import type { Router } from '../router.js';
import { metadataHandler } from './03-metadata.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { describeClusterHandler } from './60-describe-cluster.js';

/** Registers every API the broker serves; ApiVersions advertises exactly these. */
export function registerHandlers(router: Router): Router {
  return router.register(metadataHandler).register(apiVersionsHandler).register(describeClusterHandler);
}
