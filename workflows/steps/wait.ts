/** `wait` steps: a durable timer. */
import { sleep } from '@temporalio/workflow';
import { durationMs } from '../../model/duration';
import type { StepExecutor } from './step-executor';

export const waitExecutor: StepExecutor<'wait'> = {
  describe: (step) => `wait ${step.wait.duration} (${step.id})`,
  async execute(step, context) {
    await sleep(durationMs(step.wait.duration), { summary: context.summary });
    return { attempts: 1 };
  },
};
