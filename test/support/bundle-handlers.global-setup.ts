import { bundleHandlers } from '../../build-tools/bundle-handlers';

/**
 * jest's global setup: bundles the custom-resource handlers into lib/handlers/ (esbuild, well under
 * a second), so that the tests that synthesize a handler's asset find it on a fresh clone too.
 */
export default async function globalSetup(): Promise<void> {
  await bundleHandlers();
}
