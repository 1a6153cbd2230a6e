/** The executor of each step kind; the model's `stepKindSchemas` and this table grow together. */
import type { StepKind } from '../../model/steps';
import { actionExecutor } from './action';
import { gateExecutor } from './gate';
import type { StepExecutor } from './step-executor';
import { waitExecutor } from './wait';

export const stepExecutors: { [K in StepKind]: StepExecutor<K> } = {
  action: actionExecutor,
  gate: gateExecutor,
  wait: waitExecutor,
};
