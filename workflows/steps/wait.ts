/** `wait` steps: a durable timer. */
import { sleep } from '@temporalio/workflow';
import { durationMs } from '../../model/duration';
import type { StepExecutor } from './step-executor';

export const waitExecutor: StepExecutor<'wait'> = {
  async execute(step) {
    await sleep(durationMs(step.wait.duration), { summary: step.name ?? `wait ${step.wait.duration} (${step.id})` });
    return { attempts: 1 };
  },
};
