/**
 * YAML documents validated by a zod schema: text → a value, or problems that name `file:line:col`.
 * Pure (no file I/O): the runbook loader and the inventory read the files and call this.
 */
import { isMap, isPair, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';

/** One thing wrong with a YAML file, located as precisely as the YAML allows. */
export interface YamlProblem {
  file: string;
  line: number;
  col: number;
  /** Where in the document, e.g. `steps[2].gate.timeout` (empty for YAML syntax errors). */
  field: string;
  message: string;
}

export type YamlDocumentResult<T> = { ok: true; value: T } | { ok: false; problems: YamlProblem[] };

/** `runbooks/x.yaml:14:7: steps[2].gate.timeout: expected a duration like 30s` */
export function formatProblem(problem: YamlProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.col}`;
  return problem.field ? `${where}: ${problem.field}: ${problem.message}` : `${where}: ${problem.message}`;
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

function problemsFromIssues(file: string, doc: Document, lineCounter: LineCounter, issues: z.core.$ZodIssue[]): YamlProblem[] {
  const problems: YamlProblem[] = [];
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

/** Parses YAML text (duplicate keys are errors) and validates it with `schema`; `file` is only used in messages. */
export function parseYamlDocument<Schema extends z.ZodType>(text: string, file: string, schema: Schema): YamlDocumentResult<z.output<Schema>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlErrors = [...doc.errors];
  if (yamlErrors.length > 0) {
    const problems = yamlErrors.map((error) => {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      return { file, line: at.line, col: at.col, field: '', message: `invalid YAML: ${error.message.split('\n')[0] ?? error.code}` };
    });
    return { ok: false, problems };
  }
  const result = schema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!result.success) return { ok: false, problems: problemsFromIssues(file, doc, lineCounter, result.error.issues) };
  return { ok: true, value: result.data };
}
