/** Seed files: YAML → a validated seed, or an error naming `file:line:col: field: message` for every problem. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { formatField } from '../../model/loader';
import { fleetSeedSchema, type FleetSeed, type ValidFleetSeed } from './model';

/** Thrown when a seed (file or object) is not valid; the message lists every problem, one a line. */
export class FleetSeedError extends Error {
  override readonly name = 'FleetSeedError';
  constructor(readonly problems: string[]) {
    super(`invalid fleet seed:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * The default seed. From source it sits next to this file; from dist/ (tsc does not copy YAML)
 * it is the source copy three levels up.
 */
export function defaultSeedFile(): string {
  const beside = path.join(__dirname, 'seed.yaml');
  return existsSync(beside) ? beside : path.join(__dirname, '..', '..', '..', 'examples', 'fleet', 'seed.yaml');
}

function lineCol(doc: Document, lineCounter: LineCounter, segments: readonly PropertyKey[]): string {
  let node: unknown = doc.contents;
  for (const segment of segments) {
    const next: unknown = isMap(node) || isSeq(node) ? node.get(segment, true) : undefined;
    if (next === undefined || next === null) break;
    node = next;
  }
  const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return `${line}:${col}`;
}

function describe(issue: z.core.$ZodIssue): string {
  const field = formatField(issue.path);
  return field ? `${field}: ${issue.message}` : issue.message;
}

/** Validates a seed given as an object (tests, callers of startFleet). */
export function validateSeed(seed: FleetSeed): ValidFleetSeed {
  const result = fleetSeedSchema.safeParse(seed);
  if (!result.success) throw new FleetSeedError(result.error.issues.map(describe));
  return result.data;
}

/** Parses and validates seed YAML; `file` is only used in messages. */
export function parseSeed(text: string, file: string): ValidFleetSeed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FleetSeedError(doc.errors.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      return `${file}:${at.line}:${at.col}: invalid YAML: ${error.message.split('\n')[0] ?? error.code}`;
    }));
  }
  const result = fleetSeedSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!result.success) throw new FleetSeedError(result.error.issues.map((issue) => `${file}:${lineCol(doc, lineCounter, issue.path)}: ${describe(issue)}`));
  return result.data;
}

export function loadSeedFile(file: string): ValidFleetSeed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new FleetSeedError([`${file}: cannot read the seed: ${reason}`]);
  }
  return parseSeed(text, file);
}
