/**
 * The runbooks a recovery's `run` steps start: resolved by name in the runbooks directory when the
 * recovery starts, recursively, and pinned into its input, so editing a file never changes a
 * recovery in flight. Everything that would make a child fail to start is refused here, before
 * anything starts: an unknown or invalid runbook, a cycle, params the child does not take, and a
 * `watch` re-running a step that is not before it. Reads files: client side only.
 */
import { formatProblem, resolveRunbook, type LoadResult } from '../model/loader';
import { ParamsError, resolveParams } from '../model/params';
import type { PinnedRunbook, RecoveryInput } from '../model/recovery';
import type { Runbook } from '../model/runbook';
import type { Step } from '../model/steps';
import type { RunSpec } from '../model/steps/run';
import { rerunReferenceProblems } from '../model/steps/watch';

/** Thrown when a runbook's `run` steps (or `watch` re-runs) cannot be resolved; the message says which step and why. */
export class RunbookReferenceError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RunbookReferenceError';
  }
}

interface RunStepReference {
  /** Where the step stands, e.g. `steps[2]` or `steps[1].foreach.steps[0]`. */
  path: string;
  id: string;
  run: RunSpec;
}

function formatPath(path: (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** Every `run` step of `steps`, nested ones included. */
function runSteps(steps: readonly Step[], path = 'steps'): RunStepReference[] {
  return steps.flatMap((step, index): RunStepReference[] => {
    const at = `${path}[${index}]`;
    if ('run' in step) return [{ path: at, id: step.id, run: step.run }];
    if ('foreach' in step) return runSteps(step.foreach.steps, `${at}.foreach.steps`);
    return [];
  });
}

const hasTemplate = (value: unknown) => typeof value === 'string' && value.includes('{{');

/** What is wrong with the params a `run` step gives the child, as far as it is known before the recovery runs. */
function paramProblems(reference: RunStepReference, child: Runbook): string[] {
  const declared = child.spec.params;
  const given = reference.run.params;
  const problems = Object.keys(given)
    .filter((name) => !Object.hasOwn(declared, name))
    .map((name) => `unknown param "${name}"; ${child.metadata.name} declares: ${Object.keys(declared).join(', ') || 'none'}`);
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.required && spec.default === undefined && given[name] === undefined) problems.push(`missing required param "${name}" (${spec.type})`);
  }
  // Values without templates are checked now; a template's value only when the step runs.
  const staticNames = Object.keys(given).filter((name) => Object.hasOwn(declared, name) && !hasTemplate(given[name]));
  try {
    resolveParams(Object.fromEntries(staticNames.map((name) => [name, { ...declared[name]!, required: false }])), Object.fromEntries(staticNames.map((name) => [name, given[name]])));
  } catch (error) {
    if (!(error instanceof ParamsError)) throw error;
    problems.push(...error.problems);
  }
  return problems;
}

/**
 * Resolves the runbooks that `runbook`'s `run` steps start, and theirs, by name in `runbooksDir`.
 * Throws RunbookReferenceError listing every problem.
 */
export async function resolveChildRunbooks(runbook: Runbook, runbooksDir: string): Promise<Record<string, PinnedRunbook>> {
  const loads = new Map<string, Promise<LoadResult>>();
  const load = (name: string) => loads.get(name) ?? loads.set(name, resolveRunbook(name, runbooksDir)).get(name)!;
  const children: Record<string, PinnedRunbook> = {};
  const problems = new Set<string>();
  // Every path is followed (runbooks are few), so a cycle is found whichever way it is entered.
  const visit = async (parent: Runbook, chain: string[]): Promise<void> => {
    for (const problem of rerunReferenceProblems(parent.spec.steps)) {
      problems.add(`${parent.metadata.name}: ${formatPath(['steps', ...problem.path])}: ${problem.message}`);
    }
    for (const reference of runSteps(parent.spec.steps)) {
      const name = reference.run.runbook;
      const where = `${parent.metadata.name}: ${reference.path} (${reference.id}) runs runbook "${name}"`;
      if (chain.includes(name)) {
        problems.add(`${where}: a cycle, ${[...chain.slice(chain.indexOf(name)), name].join(' → ')}`);
        continue;
      }
      const loaded = await load(name);
      if (!loaded.ok) {
        // Not found is said by name; a broken child file by its file:line:col.
        for (const problem of loaded.problems) problems.add(`${where}: ${problem.file === name ? problem.message : formatProblem(problem)}`);
        continue;
      }
      if (loaded.runbook.metadata.name !== name) {
        problems.add(`${where}, but ${loaded.file} is named "${loaded.runbook.metadata.name}"`);
        continue;
      }
      children[name] = { runbook: loaded.runbook, runbookHash: loaded.hash };
      for (const problem of paramProblems(reference, loaded.runbook)) problems.add(`${where}: ${problem}`);
      await visit(loaded.runbook, [...chain, name]);
    }
  };
  await visit(runbook, [runbook.metadata.name]);
  if (problems.size > 0) throw new RunbookReferenceError([...problems]);
  return children;
}

/** `input` with the child runbooks pinned; unchanged when the runbook runs none. */
export async function withChildRunbooks(input: RecoveryInput, runbooksDir: string): Promise<RecoveryInput> {
  const children = await resolveChildRunbooks(input.runbook, runbooksDir);
  return Object.keys(children).length === 0 ? input : { ...input, children };
}
