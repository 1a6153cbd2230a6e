/**
 * `rebound validate <file-or-dir>...`: every problem as `file:line:col: field: message`. Beyond
 * each file's own schema, a valid runbook's references are checked: the runbooks its `run` steps
 * start (found in the same directory, with the params they require) and its `policyFile`s.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { runbookReferenceProblems } from '../../client/child-runbooks';
import { findRunbookFiles, formatProblem, loadRunbookFile, type LoadResult, type RunbookProblem } from '../../model/loader';
import { locateInYaml } from '../../model/yaml-document';
import { CliError, ExitCode } from '../cli-error';

export interface ValidateOptions {
  json?: boolean;
}

/** The runbooks directory a file's references resolve in: the directory argument it was found under, else its own directory. */
async function runbooksDirOf(file: string, paths: string[]): Promise<string> {
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (info?.isDirectory() && !path.relative(entry, file).startsWith('..')) return entry;
  }
  return path.dirname(file);
}

/**
 * `result` with the problems of its references added (it cannot start with them); unchanged when it
 * is invalid already. Problems in this file point at the field; those in a runbook it runs (e.g. a
 * cycle through it) at its steps, named by that runbook.
 */
async function withReferenceProblems(result: LoadResult, paths: string[]): Promise<LoadResult> {
  if (!result.ok) return result;
  const name = result.runbook.metadata.name;
  const found = await runbookReferenceProblems(result.runbook, await runbooksDirOf(result.file, paths));
  if (found.length === 0) return result;
  const text = await readFile(result.file, 'utf8');
  const problems: RunbookProblem[] = found.map((problem) =>
    problem.runbook === name
      ? { file: result.file, ...locateInYaml(text, ['spec', ...problem.path]), field: '', message: problem.message }
      : { file: result.file, ...locateInYaml(text, ['spec', 'steps']), field: '', message: `${problem.runbook}: ${problem.message}` },
  );
  return { ok: false, file: result.file, problems };
}

export async function validateCommand(paths: string[], options: ValidateOptions): Promise<number> {
  const files = await findRunbookFiles(paths);
  if (files.length === 0) throw new CliError(`no runbook files (*.yaml, *.yml) in ${paths.join(', ')}`);
  const results = await Promise.all(files.map(async (file) => withReferenceProblems(await loadRunbookFile(path.relative(process.cwd(), file) || file), paths)));
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
