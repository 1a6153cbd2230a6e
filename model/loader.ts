/**
 * Runbook files: YAML text → a validated runbook, or problems that name `file:line:col`.
 * Does file I/O: never imported by workflows.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { runbookSchema, type Runbook } from './runbook';
import { accessPolicySchema, type AccessPolicy } from './steps/permissions';
import { parseYamlDocument, type YamlProblem } from './yaml-document';

/** One thing wrong with a runbook file, located as precisely as the YAML allows. */
export type RunbookProblem = YamlProblem;

export type LoadResult =
  | { ok: true; file: string; runbook: Runbook; hash: string }
  | { ok: false; file: string; problems: RunbookProblem[] };

export { formatField, formatProblem } from './yaml-document';

/** Content hash of a runbook file: recorded with every recovery started from it. */
export function runbookHash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Parses and validates runbook text; `file` is only used in messages. */
export function parseRunbook(text: string, file: string): LoadResult {
  const parsed = parseYamlDocument(text, file, runbookSchema);
  if (!parsed.ok) return { ok: false, file, problems: parsed.problems };
  return { ok: true, file, runbook: parsed.value, hash: runbookHash(text) };
}

/** Reads and validates one runbook file. */
export async function loadRunbookFile(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    return { ok: false, file, problems: [{ file, line: 1, col: 1, field: '', message: `cannot read runbook: ${reason}` }] };
  }
  return parseRunbook(text, file);
}

const runbookExtensions = new Set(['.yaml', '.yml']);

/** Where access-policy files live inside a runbooks directory: never taken for runbooks. */
export const policiesDirName = 'policies';

export type PolicyLoadResult = { ok: true; file: string; policy: AccessPolicy; hash: string } | { ok: false; file: string; problems: RunbookProblem[] };

/** Reads and validates an access-policy file; `file` is shown in messages as given. */
export async function loadAccessPolicyFile(file: string): Promise<PolicyLoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    return { ok: false, file, problems: [{ file, line: 1, col: 1, field: '', message: `cannot read access policy: ${reason}` }] };
  }
  const parsed = parseYamlDocument(text, file, accessPolicySchema);
  if (!parsed.ok) return { ok: false, file, problems: parsed.problems };
  return { ok: true, file, policy: parsed.value, hash: runbookHash(text) };
}

/** Expands files and directories (recursively, skipping `policies/` folders) into runbook file paths, sorted. */
export async function findRunbookFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (info?.isDirectory()) {
      const children = await readdir(entry, { recursive: true, withFileTypes: true });
      for (const child of children) {
        const inPolicies = path.relative(entry, child.parentPath).split(path.sep).includes(policiesDirName);
        if (child.isFile() && !inPolicies && runbookExtensions.has(path.extname(child.name))) files.push(path.join(child.parentPath, child.name));
      }
    } else {
      files.push(entry);
    }
  }
  return [...new Set(files)].sort();
}

/**
 * A runbook given by file path, or by name: `runbooks/<name>.yaml`, else the file in the
 * runbooks directory whose metadata.name is the name.
 */
export async function resolveRunbook(reference: string, runbooksDir: string): Promise<LoadResult> {
  const looksLikeFile = reference.includes('/') || runbookExtensions.has(path.extname(reference));
  if (looksLikeFile) return loadRunbookFile(reference);
  for (const extension of runbookExtensions) {
    const candidate = path.join(runbooksDir, `${reference}${extension}`);
    if (await stat(candidate).catch(() => undefined)) return loadRunbookFile(candidate);
  }
  for (const file of await findRunbookFiles([runbooksDir])) {
    const loaded = await loadRunbookFile(file);
    if (loaded.ok && loaded.runbook.metadata.name === reference) return loaded;
  }
  const where = path.relative(process.cwd(), runbooksDir) || '.';
  return { ok: false, file: reference, problems: [{ file: reference, line: 1, col: 1, field: '', message: `no runbook named "${reference}" in ${where}/` }] };
}
