/**
 * The runbook loader under any input: random YAML text, runbook-shaped documents with random and
 * hostile parts, deep nesting, huge strings and alias bombs give either a valid runbook or problems
 * that each name file:line:col; never a throw, and Object.prototype stays as it was.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { formatProblem, parseRunbook, type LoadResult } from '../../model/loader';
import { assertPrototypeUntouched, objectPrototypeSnapshot } from './pollution';

const file = 'fuzzed.yaml';
const prototypeBefore = objectPrototypeSnapshot();
afterEach(() => assertPrototypeUntouched(prototypeBefore));

const validRunbook = {
  apiVersion: 'rebound/v1',
  kind: 'Runbook',
  metadata: { name: 'fuzzed' },
  spec: {
    params: { service: { type: 'string', default: 'checkout' } },
    key: '{{ params.service }}',
    steps: [
      { id: 'announce', action: { name: 'noop', with: { output: { service: '{{ params.service }}' } } } },
      { id: 'settle', when: 'params.service != "batch"', wait: { duration: '1s' } },
    ],
  },
};

/** Loads and checks the loader's contract; returns the result for further checks. */
function load(text: string): LoadResult {
  const result = parseRunbook(text, file);
  if (result.ok) return result;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.col).toBeGreaterThanOrEqual(1);
    expect(formatProblem(problem)).toMatch(/^fuzzed\.yaml:\d+:\d+: \S/);
  }
  return result;
}

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
const anyKey = fc.oneof(hostileKey, fc.string({ maxLength: 12 }), fc.constantFrom('id', 'name', 'steps', 'action', 'with', 'when', 'gate', 'wait'));
const anyValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 30 }),
    fc.constantFrom('{{ params.service }}', '{{ __proto__ }}', '{{', '}}', '1s', 'noop', 'http.check'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A path into the valid runbook where a random value is put. */
const target = fc.constantFrom<(string | number)[]>(
  [],
  ['metadata'],
  ['metadata', 'name'],
  ['spec'],
  ['spec', 'params'],
  ['spec', 'params', 'service'],
  ['spec', 'key'],
  ['spec', 'steps'],
  ['spec', 'steps', 0],
  ['spec', 'steps', 0, 'action', 'with'],
  ['spec', 'steps', 1, 'when'],
  ['spec', 'steps', 1, 'wait'],
);

/** The valid runbook with one place replaced; `__proto__` is written as an own key, as a YAML file would have it. */
function withValueAt(path: (string | number)[], key: string | undefined, value: unknown): unknown {
  const copy = structuredClone(validRunbook) as unknown;
  const put = (container: Record<string | number, unknown>, name: string | number, inner: unknown) =>
    Object.defineProperty(container, name, { value: inner, enumerable: true, writable: true, configurable: true });
  if (path.length === 0) return value;
  let parent = copy as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (key === undefined) put(parent, last, value);
  else {
    const current = parent[last];
    const container = current !== null && typeof current === 'object' ? (current as Record<string, unknown>) : {};
    put(container, key, value);
    put(parent, last, container);
  }
  return copy;
}

describe('runbook loader, property-based', () => {
  it('loads the unmodified runbook (the base of the documents below)', () => {
    expect(load(stringify(validRunbook)).ok).toBe(true);
  });

  it('answers any text with a runbook or located problems', () => {
    const yamlish = fc
      .array(
        fc.oneof(
          fc.constantFrom('{', '}', '[', ']', ': ', '- ', ' ', '  ', '\n', '&a ', '*a', '!!str ', '!!js/function ', '"', "'", '#', '<<: ', '---\n', '? ', '|\n', '>\n'),
          fc.constantFrom('apiVersion: rebound/v1\n', 'kind: Runbook\n', 'metadata:\n  name: x\n', 'spec:\n', '  steps:\n', '    - id: a\n', '      wait: { duration: 1s }\n'),
          hostileKey,
          fc.string({ maxLength: 8 }),
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        load(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers runbook-shaped documents with random or hostile parts with a runbook or located problems', () => {
    fc.assert(
      fc.property(target, fc.option(anyKey, { nil: undefined }), anyValue, (path, key, value) => {
        const text = stringify(withValueAt(path, key, value));
        const result = load(text);
        if (result.ok) {
          // A document that loads carries no reserved key anywhere: none was dropped or turned into a prototype.
          expect(JSON.stringify(result.runbook)).not.toMatch(/"(__proto__|constructor|prototype)"/);
          expect(Object.getPrototypeOf(result.runbook.spec.params)).toBe(Object.prototype);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('refuses __proto__, constructor and prototype keys where they stand', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const text = ['apiVersion: rebound/v1', 'kind: Runbook', 'metadata: { name: x }', 'spec:', '  params:', `    ${key}: { type: string }`, '  steps: [{ id: a, wait: { duration: 1s } }]'].join('\n');
      const result = load(text);
      expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`fuzzed.yaml:6:5: "${key}" is a reserved key name`]);
    }
  });

  it('quotes keys that would blur a problem message', () => {
    const text = ['apiVersion: rebound/v1', 'kind: Runbook', 'metadata: { name: x }', 'spec:', '  "a b\\nc": 1', '  steps: [{ id: a, wait: { duration: 1s } }]'].join('\n');
    const result = load(text);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['fuzzed.yaml:5:3: ["a b\\nc"]: unknown field']);
  });

  it('refuses any nesting depth beyond the limit, block or flow, with a location', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), fc.boolean(), (depth, flow) => {
        const text = flow ? `metadata: ${'['.repeat(depth)}${']'.repeat(depth)}` : Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}a:`).join('\n');
        const result = load(text);
        expect(result.ok).toBe(false);
        if (depth > 64 && !result.ok) expect(result.problems.map((problem) => problem.message).join()).toMatch(/nested (deeper than 64 levels|too deeply to parse)/);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses alias bombs of any shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), (width, levels) => {
        const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
        for (let level = 1; level < levels; level++) lines.push(`l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
        const result = load(['apiVersion: rebound/v1', 'kind: Runbook', 'metadata: { name: x }', ...lines].join('\n'));
        expect(result.ok).toBe(false);
      }),
      { numRuns: 80 },
    );
  });

  it('reads huge strings without trouble and says what is wrong with them', () => {
    const description = 'x'.repeat(5 * 1024 * 1024);
    expect(load(stringify({ ...validRunbook, metadata: { name: 'fuzzed', description } })).ok).toBe(true);
    const hugeName = load(stringify({ ...validRunbook, metadata: { name: 'a'.repeat(1024 * 1024) } }));
    expect(hugeName.ok ? [] : hugeName.problems.map(formatProblem)).toEqual([
      'fuzzed.yaml:4:9: metadata.name: expected a name: lower-case letters, digits and -, at most 63 characters',
    ]);
  });
});
