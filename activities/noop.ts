/** `noop`: changes nothing and returns its input's `output`, for runbooks being written and for the benchmark. */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult } from '../model/action-contract';
import { noopInput } from '../model/catalog';
import { runAttempt } from './activity-attempt';
import { parseInput } from './failures';

const activity = 'noop';

export function createNoop({ logger }: { readonly logger: Logger }) {
  // Completion logs at debug: a benchmark runs thousands of these.
  return async function noop(request: ActionRequest): Promise<ActionResult> {
    return runAttempt(logger, activity, request, 'debug', async () => {
      const input = parseInput(activity, noopInput, request.input);
      return { output: input.output ?? null, attempt: Context.current().info.attempt };
    });
  };
}
