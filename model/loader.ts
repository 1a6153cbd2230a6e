/**
 * Runbook files: YAML text → a validated runbook, or problems that name `file:line:col`.
 * Does file I/O: never imported by workflows.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { isMap, isPair, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { runbookSchema, type Runbook } from './runbook';

/** One thing wrong with a runbook file, located as precisely as the YAML allows. */
export interface RunbookProblem {
  file: string;
  line: number;
  col: number;
  /** Where in the runbook, e.g. `steps[2].gate.timeout` (empty for YAML syntax errors). */
  field: string;
  message: string;
}

export type LoadResult =
  | { ok: true; file: string; runbook: Runbook; hash: string }
  | { ok: false; file: string; problems: RunbookProblem[] };

/** `runbooks/x.yaml:14:7: steps[2].gate.timeout: expected a duration like 30s` */
export function formatProblem(problem: RunbookProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.col}`;
  return problem.field ? `${where}: ${problem.field}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Content hash of a runbook file: recorded with every recovery started from it. */
export function runbookHash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

type PathSegment = PropertyKey;

/** `['spec','steps',2,'gate','timeout']` → `steps[2].gate.timeout` (the `spec.` prefix is implied). */
export function formatField(segments: readonly PathSegment[]): string {
  const shown = segments[0] === 'spec' ? segments.slice(1) : segments;
  return shown
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

/** The deepest YAML node on the path that exists, and whether it is the node itself. */
function nodeAt(doc: Document, segments: readonly PathSegment[]): { node: YamlNode | undefined; exact: boolean } {
  let node: unknown = doc.contents;
  for (let depth = 0; depth < segments.length; depth++) {
    const next = isMap(node) || isSeq(node) ? node.get(segments[depth], true) : undefined;
    if (next === undefined || next === null) return { node: node as YamlNode, exact: false };
    node = next;
  }
  return { node: node as YamlNode, exact: true };
}

/** The key node of `name` inside a mapping node, for pointing at an unknown field itself. */
function keyNode(map: YamlNode | undefined, name: string): YamlNode | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === name);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function position(lineCounter: LineCounter, node: YamlNode | undefined): { line: number; col: number } {
  const offset = node?.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}

function problemsFromIssues(file: string, doc: Document, lineCounter: LineCounter, issues: z.core.$ZodIssue[]): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  for (const issue of issues) {
    const { node, exact } = nodeAt(doc, issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const name of issue.keys) {
        const at = position(lineCounter, keyNode(node, name) ?? node);
        const message = issue.message.startsWith('Unrecognized key') ? 'unknown field' : issue.message;
        problems.push({ file, ...at, field: formatField([...issue.path, name]), message });
      }
      continue;
    }
    const missing = !exact && issue.code === 'invalid_type';
    const message = missing ? `missing required field (expected ${issue.expected})` : issue.message;
    problems.push({ file, ...position(lineCounter, node), field: formatField(issue.path), message });
  }
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Parses and validates runbook text; `file` is only used in messages. */
export function parseRunbook(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlErrors = [...doc.errors];
  if (yamlErrors.length > 0) {
    const problems = yamlErrors.map((error) => {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      return { file, line: at.line, col: at.col, field: '', message: `invalid YAML: ${error.message.split('\n')[0] ?? error.code}` };
    });
    return { ok: false, file, problems };
  }
  const result = runbookSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!result.success) return { ok: false, file, problems: problemsFromIssues(file, doc, lineCounter, result.error.issues) };
  return { ok: true, file, runbook: result.data, hash: runbookHash(text) };
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

/** Expands files and directories (recursively) into runbook file paths, sorted. */
export async function findRunbookFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of paths) {
    const info = await stat(entry).catch(() => undefined);
    if (info?.isDirectory()) {
      const children = await readdir(entry, { recursive: true, withFileTypes: true });
      for (const child of children) {
        if (child.isFile() && runbookExtensions.has(path.extname(child.name))) files.push(path.join(child.parentPath, child.name));
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
