/** The executor of each step kind; the model's `stepKindSchemas` and this table grow together. */
import type { StepKind } from '../../model/steps';
import { actionExecutor } from './action';
import { approvalExecutor } from './approval';
import { failoverExecutor } from './failover';
import { foreachExecutor } from './foreach';
import { gateExecutor } from './gate';
import { permissionsExecutor } from './permissions';
import { rollbackExecutor } from './rollback';
import { runExecutor } from './run';
import type { StepExecutor } from './step-executor';
import { waitExecutor } from './wait';
import { watchExecutor } from './watch';

export const stepExecutors: { [K in StepKind]: StepExecutor<K> } = {
  action: actionExecutor,
  gate: gateExecutor,
  wait: waitExecutor,
  approval: approvalExecutor,
  rollback: rollbackExecutor,
  failover: failoverExecutor,
  permissions: permissionsExecutor,
  foreach: foreachExecutor,
  watch: watchExecutor,
  run: runExecutor,
};
