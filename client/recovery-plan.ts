/**
 * `rebound plan`: what a recovery would do, without doing it. Templates are resolved as far as
 * params and the key allow (outputs of earlier steps only exist when it runs); the steps that act
 * through drivers read the real systems and run the same preflights their executors run
 * (model/failover-preflight.ts, model/rollback-plan.ts, model/grant-diff.ts), also inside
 * `foreach` (once per item, when the items are known before it runs) and `run` (the child
 * runbook's steps with its params). Only reads: nothing is changed, no workflow is started.
 */
import type { DriverReader } from '../activities/drivers/fleet-reads';
import { resolveCount } from '../model/counts';
import { ExpressionError, evaluateCondition, renderTemplate, type ExpressionContext } from '../model/expressions';
import { renderArguments } from '../model/secret-references';
import { chooseDestination, loadToMove, predictedServingCapacity, shiftedWeights } from '../model/failover-preflight';
import { grantDiff, grantKey } from '../model/grant-diff';
import { ParamsError, resolveParams } from '../model/param-values';
import { recoveryWorkflowId, type FindingKind, type PinnedRunbook, type RecoveryInput } from '../model/recovery';
import { driftedTargets, formatDeployment, sameDeployment, waveBoundaries } from '../model/rollback-plan';
import { stepKind, type Step, type StepKind, type StepOf } from '../model/steps';
import type { FailoverSpec } from '../model/steps/failover';
import { desiredGrants, type PermissionsSpec } from '../model/steps/permissions';
import type { RollbackSpec } from '../model/steps/rollback';

/** `ok` passed; `warn` the recovery would go on but an operator should know; `refuse` the recovery would stop there. */
export type CheckStatus = 'ok' | 'warn' | 'refuse';

export interface PlanCheck {
  status: CheckStatus;
  message: string;
  /** The finding the recovery would record. */
  kind?: FindingKind;
  target?: string;
}

export interface PlannedStep {
  id: string;
  kind: StepKind;
  name?: string;
  /** What the step would do, in words, templates resolved where they can be. */
  does: string;
  /** The `when` condition and its value now (`unknown` when it reads earlier steps' outputs). */
  when?: { expression: string; value: boolean | 'unknown' };
  /** What the step would act on (replicas, sites, grants, URLs). */
  targets: string[];
  checks: PlanCheck[];
  /** Template expressions that only resolve when the recovery runs (they read earlier outputs). */
  unresolved: string[];
  /**
   * Nested steps: a `run` step's child runbook, planned with its params; a `foreach` step's steps
   * as written, without preflights, when they are not planned per item.
   */
  steps?: PlannedStep[];
  /** A `foreach` step's steps planned for each item, preflights included (when the items are known before it runs). */
  items?: { item: string; steps: PlannedStep[] }[];
}

export interface RecoveryPlan {
  workflowId: string;
  runbook: { name: string; hash: string };
  key: string;
  params: RecoveryInput['params'];
  rto?: string;
  timeout?: string;
  steps: PlannedStep[];
  /** True when a preflight would refuse: the recovery would stop (exit 1). */
  refused: boolean;
}

/** Thrown when the runbook's driver steps need an inventory and none was given. */
export class PlanNeedsInventoryError extends Error {
  override readonly name = 'PlanNeedsInventoryError';
}

const driverKinds: readonly StepKind[] = ['rollback', 'failover', 'permissions'];

/** Renders every template it can; a template that reads what only exists at run time stays as written, and so does a secret reference. */
function renderKnown(value: unknown, context: ExpressionContext, unresolved: string[]): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    try {
      const rendered = renderArguments(value, context);
      if (rendered.secrets.length > 0) unresolved.push(String(rendered.input));
      return rendered.input;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      unresolved.push(value);
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item) => renderKnown(item, context, unresolved));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, renderKnown(inner, context, unresolved)]));
  return value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describeWith(args: Record<string, unknown>): string {
  if (typeof args.url === 'string') return `${typeof args.method === 'string' ? `${args.method} ` : ''}${args.url}`;
  if (Array.isArray(args.command)) return args.command.map(text).join(' ');
  if (typeof args.query === 'string') return `${args.query}${typeof args.url === 'string' ? ` at ${args.url}` : ''}`;
  const json = JSON.stringify(args);
  return json.length > 160 ? `${json.slice(0, 159)}…` : json;
}

function argsTargets(args: Record<string, unknown>): string[] {
  return typeof args.url === 'string' ? [args.url] : [];
}

const failed = (error: unknown): PlanCheck => ({ status: 'refuse', message: `could not read the system: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });

async function planFailover(spec: Omit<FailoverSpec, 'verify'>, reader: DriverReader, planned: PlannedStep): Promise<void> {
  const traffic = await reader['traffic.read']({ service: spec.service });
  const sites = await reader['traffic.sites']({});
  const candidates = spec.to ? [spec.to] : (spec.candidates ?? []);
  const movedLoad = loadToMove(traffic, spec.from);
  const minimum = spec.minHealthyCapacity ?? traffic.load;
  planned.does = `shift ${spec.service}'s traffic from ${spec.from} (${traffic.weights[spec.from] ?? 0}% of ${traffic.load} rps) to ${candidates.join(' or ')} in steps of ${spec.shifts.join('%, ')}%, verifying after each`;
  planned.targets = [spec.from, ...candidates];
  const source = sites.find((site) => site.site === spec.from);
  if (!source) {
    planned.checks.push({ status: 'refuse', message: `unknown source site ${spec.from}` });
    return;
  }
  const { destination, refused } = chooseDestination(source, sites, candidates, movedLoad);
  for (const refusal of refused) {
    // A refused candidate only stops the failover when no later candidate passes.
    planned.checks.push({ status: destination === undefined ? 'refuse' : 'warn', kind: refusal.kind, target: refusal.candidate, message: refusal.message });
  }
  if (destination === undefined) return;
  const site = sites.find((candidate) => candidate.site === destination);
  planned.targets = [spec.from, destination];
  planned.checks.push({
    status: 'ok',
    target: destination,
    message: `${destination} is healthy, has ${(site?.capacity ?? 0) - (site?.load ?? 0)} rps spare for the ${movedLoad} rps that move, and shares no failure domain with ${spec.from}`,
  });
  for (const percent of spec.shifts) {
    const predicted = predictedServingCapacity(sites, spec.from, shiftedWeights(traffic.weights, spec.from, destination, percent));
    if (predicted < minimum) {
      planned.checks.push({ status: 'refuse', kind: 'capacity-shortfall', message: `shifting ${percent}% would leave ${predicted} rps of healthy capacity, below the minimum ${minimum}` });
      return;
    }
  }
  planned.checks.push({ status: 'ok', message: `healthy serving capacity stays at or above ${minimum} rps at every shift` });
}

async function planRollback(spec: Omit<RollbackSpec, 'verify'>, reader: DriverReader, planned: PlannedStep): Promise<void> {
  const all = await reader['deployments.observe']({ service: spec.service, sites: spec.sites, targets: spec.targets });
  if (all.length === 0) {
    planned.checks.push({ status: 'refuse', message: `no targets of ${spec.service} match` });
    return;
  }
  const noGoal = all.filter((target) => !(spec.to ?? target.previous));
  if (noGoal.length > 0) {
    const names = noGoal.map((target) => target.target).join(', ');
    planned.checks.push({ status: 'refuse', message: `no state recorded before the last change of ${names}: nothing known-good to return to; give rollback.to` });
    return;
  }
  const goal = (target: (typeof all)[number]) => spec.to ?? target.previous;
  const pending = all.filter((target) => !(sameDeployment(target.observed, goal(target)) && target.healthy));
  const waves = waveBoundaries(spec.waves, pending.length).map((end, index, ends) => end - (ends[index - 1] ?? 0));
  planned.targets = pending.map((target) => `${target.target}: ${formatDeployment(target.observed)} → ${formatDeployment(goal(target))}`);
  planned.does =
    pending.length === 0
      ? `nothing to roll back: all ${all.length} replicas of ${spec.service} already run their known-good state`
      : `roll ${pending.length} of ${all.length} replicas of ${spec.service} back in ${waves.length} wave(s) of ${waves.join(', ')}, at most ${resolveCount(spec.maxUnavailable, Math.max(...waves))} at a time`;
  const drifted = driftedTargets(pending);
  for (const target of drifted) {
    planned.checks.push({
      status: spec.onDrift === 'halt' ? 'refuse' : 'warn',
      kind: 'drift',
      target: target.target,
      message: `${target.target} runs ${formatDeployment(target.observed)} but ${formatDeployment(target.recorded)} is recorded${spec.onDrift === 'halt' ? ': the rollback would halt (onDrift: halt)' : ''}`,
    });
  }
  if (drifted.length === 0) planned.checks.push({ status: 'ok', message: `no drift: every replica to roll back runs what is recorded` });
  const unhealthyDone = all.filter((target) => sameDeployment(target.observed, goal(target)) && !target.healthy);
  if (unhealthyDone.length > 0) planned.checks.push({ status: 'warn', message: `${unhealthyDone.map((target) => target.target).join(', ')} already run(s) the known-good state but are unhealthy` });
}

async function planPermissions(spec: PermissionsSpec, reader: DriverReader, planned: PlannedStep): Promise<void> {
  const actual = await reader['access.read']({ service: spec.service });
  const desired = desiredGrants(spec);
  const diff = grantDiff(actual, desired);
  planned.targets = [`${spec.service}/grants`];
  const changes = [...diff.add.map((grant) => `add ${grantKey(grant)}`), ...diff.remove.map((grant) => `remove ${grantKey(grant)}`)];
  planned.does = `re-sync the grants of ${spec.service} to the policy (${desired.length} grants)${changes.length > 0 ? `: ${changes.join(', ')}` : ''}${spec.breakGlass.length > 0 ? `; open break-glass ${spec.breakGlass.map(grantKey).join(', ')}` : ''}`;
  if (changes.length > 0) {
    planned.checks.push({ status: 'warn', kind: 'permission-desync', message: `${spec.service}: ${diff.add.length} grant(s) missing, ${diff.remove.length} not in the policy` });
  } else {
    planned.checks.push({ status: 'ok', message: `the grants of ${spec.service} match the policy` });
  }
  const open = actual.filter((grant) => grant.breakGlass);
  if (open.length > 0 && spec.revokeBreakGlass) {
    planned.checks.push({ status: 'warn', kind: 'break-glass', message: `${open.length} break-glass grant(s) open (${open.map(grantKey).join(', ')}): revoked when the recovery ends` });
  }
}

function describeStatic(step: Step, spec: Record<string, unknown>): { does: string; targets: string[] } {
  const kind = stepKind(step);
  const args = (spec.with ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'action': {
      const undo = spec.undo as { name: string } | undefined;
      return { does: `${text(spec.name)} ${describeWith(args)}${undo ? ` (undo: ${undo.name})` : ''}`, targets: argsTargets(args) };
    }
    case 'gate':
      return {
        does: `verify: ${text(spec.check)} ${describeWith(args)} until ${text(spec.expect)} holds ${text(spec.consecutive)} time(s) in a row, every ${text(spec.interval)}, within ${text(spec.timeout)}`,
        targets: argsTargets(args),
      };
    case 'watch':
      return { does: `soak for ${text(spec.duration)}: ${text(spec.check)} ${describeWith(args)} must keep ${text(spec.expect)}`, targets: argsTargets(args) };
    case 'wait':
      return { does: `wait ${text(spec.duration)}`, targets: [] };
    case 'approval': {
      const approvers = (spec.approvers as string[]).join(', ');
      return {
        does: `wait for ${text(spec.quorum)} approval(s) from ${approvers} within ${text(spec.timeout)} (on timeout: ${text(spec.onTimeout)})${spec.message ? `: "${text(spec.message)}"` : ''}`,
        targets: [],
      };
    }
    case 'run':
      return { does: `run runbook ${text(spec.runbook)} with ${JSON.stringify(spec.params ?? {})}`, targets: [] };
    case 'rollback':
      return { does: `roll ${text(spec.service)} back to its known-good state in waves of ${JSON.stringify(spec.waves)}`, targets: [] };
    case 'failover':
      return { does: `shift ${text(spec.service)}'s traffic from ${text(spec.from)} to ${text(spec.to ?? spec.candidates)} in steps of ${JSON.stringify(spec.shifts)}`, targets: [] };
    case 'permissions':
      return { does: `re-sync the grants of ${text(spec.service)} to the policy`, targets: [] };
    case 'foreach':
      return { does: `for each item, at most ${text(spec.maxConcurrency)} at a time, tolerating ${text(spec.maxFailures)} failure(s)`, targets: Array.isArray(spec.items) ? spec.items.map(text) : [] };
  }
}

/** What a step is planned with: the expression context, the driver, the pinned child runbooks. */
interface PlanScope {
  context: ExpressionContext;
  reader: DriverReader | undefined;
  children: Readonly<Record<string, PinnedRunbook>>;
  /** False for steps described only (a foreach's steps whose items are known only when it runs). */
  preflight: boolean;
  /** `run` steps above this one; validation refuses cycles, this keeps a bad input from recursing forever. */
  depth: number;
}

const maxRunDepth = 16;

/** The items a foreach will run over, when they are known before it runs. */
async function foreachItems(foreach: StepOf<'foreach'>['foreach'], unresolved: string[], scope: PlanScope, planned: PlannedStep): Promise<string[] | undefined> {
  if (unresolved.length > 0) return undefined;
  if (foreach.targets) {
    if (!scope.reader || !scope.preflight) return undefined;
    try {
      const replicas = await scope.reader['deployments.observe']({ service: foreach.targets.service, sites: foreach.targets.sites });
      planned.targets = replicas.map((replica) => replica.target);
      return planned.targets;
    } catch (error) {
      planned.checks.push(failed(error));
      return undefined;
    }
  }
  return Array.isArray(foreach.items) ? foreach.items.map(String) : undefined;
}

async function planForeach(spec: Record<string, unknown>, nested: Step[], unresolved: string[], scope: PlanScope, planned: PlannedStep): Promise<void> {
  const foreach = spec as StepOf<'foreach'>['foreach'];
  const items = await foreachItems(foreach, unresolved, scope, planned);
  const reads = scope.preflight && needsDriver(nested, scope.children);
  if (items !== undefined && reads) {
    planned.items = [];
    // One item after the other, as reads of the same systems.
    for (const item of items) planned.items.push({ item, steps: await planSteps(nested, { ...scope, context: { ...scope.context, [foreach.as]: item } }) });
    return;
  }
  if (reads && planned.checks.length === 0) planned.checks.push({ status: 'warn', message: 'preflights of the nested steps skipped: the items are known only when it runs' });
  planned.steps = await Promise.all(nested.map((inner) => planStep(inner, { ...scope, preflight: false })));
}

async function planRun(spec: Record<string, unknown>, unresolved: string[], scope: PlanScope, planned: PlannedStep): Promise<void> {
  const run = spec as StepOf<'run'>['run'];
  const pinned = scope.children[run.runbook];
  if (pinned === undefined) {
    planned.checks.push({ status: 'refuse', message: `runbook ${run.runbook} is not known` });
    return;
  }
  if (unresolved.length > 0) {
    if (scope.preflight && needsDriver(pinned.runbook.spec.steps, scope.children)) {
      planned.checks.push({ status: 'warn', message: `preflights of runbook ${run.runbook} skipped: its params depend on earlier steps, known only when the recovery runs` });
    }
    return;
  }
  if (scope.depth >= maxRunDepth) {
    planned.checks.push({ status: 'refuse', message: `runbooks nest deeper than ${maxRunDepth} run steps` });
    return;
  }
  let params;
  try {
    params = resolveParams(pinned.runbook.spec.params, run.params);
  } catch (error) {
    if (!(error instanceof ParamsError)) throw error;
    planned.checks.push({ status: 'refuse', message: `params for runbook ${run.runbook}: ${error.message}` });
    return;
  }
  const rendered = pinned.runbook.spec.key ? renderTemplate(pinned.runbook.spec.key, { params }) : run.runbook;
  const key = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
  planned.does = `run runbook ${run.runbook} for key ${key} with ${JSON.stringify(params)}`;
  planned.targets = [recoveryWorkflowId(run.runbook, key)];
  planned.steps = await planSteps(pinned.runbook.spec.steps, { ...scope, context: { params, key, steps: {} }, depth: scope.depth + 1 });
}

async function planStep(step: Step, scope: PlanScope): Promise<PlannedStep> {
  const kind = stepKind(step);
  const { context, reader } = scope;
  const unresolved: string[] = [];
  const raw = (step as Record<string, unknown>)[kind] as Record<string, unknown>;
  const { steps: nestedSteps, ...own } = raw;
  const spec = renderKnown(own, context, unresolved) as Record<string, unknown>;
  const name = step.name === undefined ? undefined : text(renderKnown(step.name, context, unresolved));
  const planned: PlannedStep = { id: step.id, kind, ...(name === undefined ? {} : { name }), ...describeStatic(step, spec), checks: [], unresolved };
  if (step.when) {
    let value: boolean | 'unknown';
    try {
      value = evaluateCondition(step.when, context);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      value = 'unknown';
    }
    planned.when = { expression: step.when, value };
    if (value === false) return { ...planned, does: `skipped: ${step.when} is false` };
  }
  if (kind === 'foreach') {
    await planForeach(spec, nestedSteps as Step[], unresolved, scope, planned);
    return planned;
  }
  if (kind === 'run') {
    await planRun(spec, unresolved, scope, planned);
    return planned;
  }
  if (!driverKinds.includes(kind) || !scope.preflight) return planned;
  if (unresolved.length > 0) {
    planned.checks.push({ status: 'warn', message: 'preflight skipped: its inputs depend on earlier steps, known only when the recovery runs' });
    return planned;
  }
  if (!reader) throw new PlanNeedsInventoryError(`step ${step.id} (${kind}) reads the systems through the inventory's driver`);
  try {
    if (kind === 'failover') await planFailover(spec as Omit<FailoverSpec, 'verify'>, reader, planned);
    if (kind === 'rollback') await planRollback(spec as Omit<RollbackSpec, 'verify'>, reader, planned);
    if (kind === 'permissions') await planPermissions(spec as PermissionsSpec, reader, planned);
  } catch (error) {
    planned.checks.push(failed(error));
  }
  return planned;
}

/** One after the other, in runbook order, as the recovery would read them. */
async function planSteps(steps: readonly Step[], scope: PlanScope): Promise<PlannedStep[]> {
  const planned: PlannedStep[] = [];
  for (const step of steps) planned.push(await planStep(step, scope));
  return planned;
}

/** Whether the plan of `steps` reads the systems through a driver (and so needs an inventory): their own, nested and child runbooks' steps. */
export function needsDriver(steps: readonly Step[], children: Readonly<Record<string, PinnedRunbook>> = {}, visited: ReadonlySet<string> = new Set()): boolean {
  return steps.some((step) => {
    if (driverKinds.includes(stepKind(step))) return true;
    if ('foreach' in step) return step.foreach.targets !== undefined || needsDriver(step.foreach.steps, children, visited);
    if ('run' in step) {
      const child = children[step.run.runbook];
      return child !== undefined && !visited.has(step.run.runbook) && needsDriver(child.runbook.spec.steps, children, new Set([...visited, step.run.runbook]));
    }
    return false;
  });
}

/** Every check of `steps`, nested ones included, with the path of the step that made it (`evacuate[eu-west]/shift`). */
export function planChecks(steps: readonly PlannedStep[], prefix = ''): { path: string; check: PlanCheck }[] {
  return steps.flatMap((step) => {
    const path = `${prefix}${step.id}`;
    return [
      ...step.checks.map((check) => ({ path, check })),
      ...planChecks(step.steps ?? [], `${path}/`),
      ...(step.items ?? []).flatMap((item) => planChecks(item.steps, `${path}[${item.item}]/`)),
    ];
  });
}

/** Plans the recovery `input` describes; `reader` reads the systems (required when a step acts through a driver). */
export async function planRecovery(input: RecoveryInput, reader: DriverReader | undefined): Promise<RecoveryPlan> {
  const context: ExpressionContext = { params: input.params, key: input.key, steps: {} };
  const steps = await planSteps(input.runbook.spec.steps, { context, reader, children: input.children ?? {}, preflight: true, depth: 0 });
  const refused = planChecks(steps).some(({ check }) => check.status === 'refuse');
  const { spec } = input.runbook;
  return {
    workflowId: recoveryWorkflowId(input.runbook.metadata.name, input.key),
    runbook: { name: input.runbook.metadata.name, hash: input.runbookHash },
    key: input.key,
    params: input.params,
    ...(spec.rto === undefined ? {} : { rto: spec.rto }),
    ...(spec.timeout === undefined ? {} : { timeout: spec.timeout }),
    steps,
    refused,
  };
}
