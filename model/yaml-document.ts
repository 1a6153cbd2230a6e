/**
 * YAML documents validated by a zod schema: text → a value, or problems that name `file:line:col`.
 * Pure (no file I/O): the runbook loader and the inventory read the files and call this.
 */
import { isAlias, isCollection, isMap, isPair, isSeq, isScalar, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
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

const plainKey = /^[A-Za-z_$][\w$-]*$/;

/** `['spec','steps',2,'gate','timeout']` → `steps[2].gate.timeout` (the `spec.` prefix is implied). */
export function formatField(segments: readonly PathSegment[]): string {
  const shown = segments[0] === 'spec' ? segments.slice(1) : segments;
  return shown.map((segment, index) => {
    if (typeof segment === 'number') return `[${segment}]`;
    const name = String(segment);
    // Keys that would blur the message (spaces, dots, quotes, line breaks, empty) are shown quoted.
    if (!plainKey.test(name)) return `[${JSON.stringify(name)}]`;
    return `${index === 0 ? '' : '.'}${name}`;
  }).join('');
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

/** Deepest nesting of mappings and sequences accepted: runbooks need a handful of levels. */
export const maxYamlDepth = 64;
/** Alias expansions accepted (a "billion laughs" document expands a few aliases into millions of nodes). */
export const maxAliasCount = 100;
/** Keys that JavaScript objects treat specially: a document using them is refused rather than half-read. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Nesting, alias and key problems, found by walking the tree without recursion (it may be deep). */
function structureProblems(file: string, doc: Document, lineCounter: LineCounter): YamlProblem[] {
  const problems: YamlProblem[] = [];
  let aliases = 0;
  const pending: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (pending.length > 0 && problems.length === 0) {
    const { node, depth } = pending.pop()!;
    if (isAlias(node) && ++aliases > maxAliasCount) {
      problems.push({ file, ...position(lineCounter, node), field: '', message: `more than ${maxAliasCount} aliases` });
    }
    if (!isCollection(node)) continue;
    if (depth >= maxYamlDepth) {
      problems.push({ file, ...position(lineCounter, node), field: '', message: `nested deeper than ${maxYamlDepth} levels` });
      continue;
    }
    for (const item of node.items) {
      if (!isPair(item)) {
        pending.push({ node: item, depth: depth + 1 });
        continue;
      }
      if (isCollection(item.key)) {
        problems.push({ file, ...position(lineCounter, item.key), field: '', message: 'a key must be a plain value, not a mapping or list' });
      } else if (isScalar(item.key) && reservedKeys.has(String(item.key.value))) {
        problems.push({ file, ...position(lineCounter, item.key), field: '', message: `"${String(item.key.value)}" is a reserved key name` });
      }
      pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
    }
  }
  return problems;
}

function yamlFailureReason(message: string): string {
  return message.includes('Maximum call stack size exceeded') ? 'nested too deeply to parse' : (message.split('\n')[0] ?? message);
}

function firstAlias(doc: Document): YamlNode | undefined {
  let found: YamlNode | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** Parses YAML text (duplicate keys are errors) and validates it with `schema`; `file` is only used in messages. */
export function parseYamlDocument<Schema extends z.ZodType>(text: string, file: string, schema: Schema): YamlDocumentResult<z.output<Schema>> {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // The YAML parser recurses: a document nested some thousand levels deep exhausts the stack,
    // which surfaces as a RangeError or, inside a regular expression, a SyntaxError.
    return { ok: false, problems: [{ file, line: 1, col: 1, field: '', message: `invalid YAML: ${yamlFailureReason(String(error))}` }] };
  }
  const yamlErrors = [...doc.errors];
  if (yamlErrors.length > 0) {
    const problems = yamlErrors.map((error) => {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      // The parser may run out of stack while resolving a scalar deep down, and reports that as an error here.
      return { file, line: at.line, col: at.col, field: '', message: `invalid YAML: ${yamlFailureReason(error.message)}` };
    });
    return { ok: false, problems };
  }
  const structure = structureProblems(file, doc, lineCounter);
  if (structure.length > 0) return { ok: false, problems: structure };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    // The yaml library refuses aliases that would expand into far more nodes than the text holds.
    if (!(error instanceof ReferenceError)) throw error;
    return { ok: false, problems: [{ file, ...position(lineCounter, firstAlias(doc)), field: '', message: 'aliases expand to too many nodes' }] };
  }
  const result = schema.safeParse(value);
  if (!result.success) return { ok: false, problems: problemsFromIssues(file, doc, lineCounter, result.error.issues) };
  return { ok: true, value: result.data };
}

/** Where `segments` (from the document root) stand in YAML `text`: the deepest node on the path that exists. */
export function locateInYaml(text: string, segments: readonly PathSegment[]): { line: number; col: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return position(lineCounter, nodeAt(doc, segments).node);
}
