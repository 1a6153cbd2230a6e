/**
 * The workflow bundle, built once with the code (`npm run build` runs this file) instead of at
 * every worker start: bundling takes seconds of CPU (minutes on a loaded machine), and a worker
 * replacing a crashed one should poll again at once. A worker running from sources (tests)
 * finds no prebuilt bundle next to it and bundles as before.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { bundleWorkflows } from './create-worker';

/** dist/workflow-bundle.js when compiled; the bundle is written after tsc, so it matches dist's workflows. */
export const prebuiltBundlePath = path.join(__dirname, '..', 'workflow-bundle.js');

/** The prebuilt bundle, when this code was built with it. */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  return existsSync(prebuiltBundlePath) ? { codePath: prebuiltBundlePath } : undefined;
}

async function main(): Promise<void> {
  const { createLogger } = await import('../runtime/logger');
  const logger: Logger = createLogger({ level: "warn" });
  const { code } = await bundleWorkflows(logger);
  await writeFile(prebuiltBundlePath, code);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`rebound build: cannot bundle the workflows: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
