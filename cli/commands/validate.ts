/** `rebound validate <file-or-dir>...`: every problem as `file:line:col: field: message`. */
import * as path from 'node:path';
import { findRunbookFiles, formatProblem, loadRunbookFile } from '../../model/loader';
import { CliError, ExitCode } from '../cli-error';

export interface ValidateOptions {
  json?: boolean;
}

export async function validateCommand(paths: string[], options: ValidateOptions): Promise<number> {
  const files = await findRunbookFiles(paths);
  if (files.length === 0) throw new CliError(`no runbook files (*.yaml, *.yml) in ${paths.join(', ')}`);
  const results = await Promise.all(files.map((file) => loadRunbookFile(path.relative(process.cwd(), file) || file)));
  const invalid = results.filter((result) => !result.ok);
  if (options.json) {
    const report = results.map((result) =>
      result.ok ? { file: result.file, valid: true, name: result.runbook.metadata.name, hash: result.hash } : { file: result.file, valid: false, problems: result.problems },
    );
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const result of results) {
      if (result.ok) process.stdout.write(`ok  ${result.file} (${result.runbook.metadata.name})\n`);
      else for (const problem of result.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    }
    const summary = `${results.length - invalid.length} valid, ${invalid.length} invalid`;
    (invalid.length ? process.stderr : process.stdout).write(`${summary}\n`);
  }
  return invalid.length === 0 ? ExitCode.ok : ExitCode.failed;
}
