/**
 * The runbooks a recovery's `run` steps start: resolved by name in the runbooks directory when the
 * recovery starts, recursively, and pinned into its input, so editing a file never changes a
 * recovery in flight. Everything that would make a child fail to start is refused here, before
 * anything starts: an unknown or invalid runbook, a cycle, params the child does not take, and a
 * `watch` re-running a step that is not before it. Policy files (`permissions.policyFile`) are
 * read here too, for the same reason. Reads files: client side only.
 */
import * as path from 'node:path';
import { formatProblem, loadAccessPolicyFile, resolveRunbook, type LoadResult } from '../model/loader';
import { ParamsError, resolveParams } from '../model/params';
import type { PinnedRunbook, RecoveryInput } from '../model/recovery';
import type { Runbook } from '../model/runbook';
import type { Step } from '../model/steps';
import type { RunSpec } from '../model/steps/run';
import { rerunReferenceProblems } from '../model/steps/watch';

/** One reference problem, located: the runbook it is in and the field, e.g. `['steps', 2, 'run', 'runbook']`. */
export interface ReferenceProblem {
  runbook: string;
  path: (string | number)[];
  /** What `rebound start` prints, without the runbook's name. */
  message: string;
}

/** Thrown when a runbook's `run` steps, `watch` re-runs or policy files cannot be resolved; the message says which step and why. */
export class RunbookReferenceError extends Error {
  readonly problems: string[];
  constructor(readonly located: ReferenceProblem[]) {
    const problems = located.map((problem) => `${problem.runbook}: ${problem.message}`);
    super(problems.join('\n'));
    this.problems = problems;
    this.name = 'RunbookReferenceError';
  }
}

/** Problems in the order found, each once. */
class ReferenceProblems {
  private readonly byText = new Map<string, ReferenceProblem>();
  add(runbook: string, path: (string | number)[], message: string): void {
    const key = `${runbook}: ${message}`;
    if (!this.byText.has(key)) this.byText.set(key, { runbook, path, message });
  }
  get all(): ReferenceProblem[] {
    return [...this.byText.values()];
  }
}

interface RunStepReference {
  /** Where the step stands, e.g. `['steps', 2]` or `['steps', 1, 'foreach', 'steps', 0]`. */
  path: (string | number)[];
  id: string;
  run: RunSpec;
}

function formatPath(path: (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** Every `run` step of `steps`, nested ones included. */
function runSteps(steps: readonly Step[], path: (string | number)[] = ['steps']): RunStepReference[] {
  return steps.flatMap((step, index): RunStepReference[] => {
    const at = [...path, index];
    if ('run' in step) return [{ path: at, id: step.id, run: step.run }];
    if ('foreach' in step) return runSteps(step.foreach.steps, [...at, 'foreach', 'steps']);
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
  const problems = new ReferenceProblems();
  const children = await findChildRunbooks(runbook, runbooksDir, problems);
  if (problems.all.length > 0) throw new RunbookReferenceError(problems.all);
  return children;
}

async function findChildRunbooks(runbook: Runbook, runbooksDir: string, problems: ReferenceProblems): Promise<Record<string, PinnedRunbook>> {
  const loads = new Map<string, Promise<LoadResult>>();
  const load = (name: string) => loads.get(name) ?? loads.set(name, resolveRunbook(name, runbooksDir)).get(name)!;
  const children: Record<string, PinnedRunbook> = {};
  // Every path is followed (runbooks are few), so a cycle is found whichever way it is entered.
  const visit = async (parent: Runbook, chain: string[]): Promise<void> => {
    for (const problem of rerunReferenceProblems(parent.spec.steps)) {
      problems.add(parent.metadata.name, ['steps', ...problem.path], `${formatPath(['steps', ...problem.path])}: ${problem.message}`);
    }
    for (const reference of runSteps(parent.spec.steps)) {
      const name = reference.run.runbook;
      const where = `${formatPath(reference.path)} (${reference.id}) runs runbook "${name}"`;
      const add = (message: string) => problems.add(parent.metadata.name, [...reference.path, 'run', 'runbook'], message);
      if (chain.includes(name)) {
        add(`${where}: a cycle, ${[...chain.slice(chain.indexOf(name)), name].join(' → ')}`);
        continue;
      }
      const loaded = await load(name);
      if (!loaded.ok) {
        // Not found is said by name; a broken child file by its file:line:col.
        for (const problem of loaded.problems) add(`${where}: ${problem.file === name ? problem.message : formatProblem(problem)}`);
        continue;
      }
      if (loaded.runbook.metadata.name !== name) {
        add(`${where}, but ${loaded.file} is named "${loaded.runbook.metadata.name}"`);
        continue;
      }
      children[name] = { runbook: await withPolicies(loaded.runbook, runbooksDir, problems), runbookHash: loaded.hash };
      for (const problem of paramProblems(reference, loaded.runbook)) add(`${where}: ${problem}`);
      await visit(loaded.runbook, [...chain, name]);
    }
  };
  await visit(runbook, [runbook.metadata.name]);
  return children;
}

/**
 * `runbook` with the grants of each `permissions.policyFile` (relative to `runbooksDir`) filled
 * into its `desired`: the policy as it is now travels with the recovery. Adds to `problems` a
 * policy file that cannot be read or is invalid (with its file:line:col).
 */
async function withPolicies(runbook: Runbook, runbooksDir: string, problems: ReferenceProblems): Promise<Runbook> {
  const pin = (steps: readonly Step[], at: (string | number)[]): Promise<Step[]> =>
    Promise.all(
      steps.map(async (step, index): Promise<Step> => {
        const where = [...at, index];
        if ('foreach' in step) return { ...step, foreach: { ...step.foreach, steps: await pin(step.foreach.steps, [...where, 'foreach', 'steps']) } };
        const policyFile = 'permissions' in step ? step.permissions.policyFile : undefined;
        if (!('permissions' in step) || policyFile === undefined) return step;
        const loaded = await loadAccessPolicyFile(path.relative(process.cwd(), path.join(runbooksDir, policyFile)));
        if (!loaded.ok) {
          for (const problem of loaded.problems) problems.add(runbook.metadata.name, [...where, 'permissions', 'policyFile'], `${formatPath(where)} (${step.id}) reads policy file "${policyFile}": ${formatProblem(problem)}`);
          return step;
        }
        return { ...step, permissions: { ...step.permissions, desired: loaded.policy.spec.grants } };
      }),
    );
  return { ...runbook, spec: { ...runbook.spec, steps: await pin(runbook.spec.steps, ['steps']) } };
}

/**
 * `input` with its policy files read and its child runbooks pinned (theirs too). Throws
 * RunbookReferenceError listing every problem.
 */
export async function withChildRunbooks(input: RecoveryInput, runbooksDir: string): Promise<RecoveryInput> {
  const problems = new ReferenceProblems();
  const runbook = await withPolicies(input.runbook, runbooksDir, problems);
  const children = await findChildRunbooks(input.runbook, runbooksDir, problems);
  if (problems.all.length > 0) throw new RunbookReferenceError(problems.all);
  return Object.keys(children).length === 0 ? { ...input, runbook } : { ...input, runbook, children };
}

/** Every reference problem of `runbook` (`run` children, `watch` re-runs, policy files), as `rebound validate` reports them. */
export async function runbookReferenceProblems(runbook: Runbook, runbooksDir: string): Promise<ReferenceProblem[]> {
  const problems = new ReferenceProblems();
  await withPolicies(runbook, runbooksDir, problems);
  await findChildRunbooks(runbook, runbooksDir, problems);
  return problems.all;
}
