/** The model's CEL evaluation, with errors turned into typed, non-retryable workflow failures. */
import { ApplicationFailure } from '@temporalio/workflow';
import { ExpressionError, evaluateCondition, renderTemplate, type ExpressionContext } from '../model/expressions';
import { renderArguments, type SecretSlot } from '../model/secret-references';
import { RecoveryFailureTypes } from './failures';

function asFailure(error: unknown): unknown {
  if (error instanceof ExpressionError) return ApplicationFailure.nonRetryable(error.message, RecoveryFailureTypes.expression);
  return error;
}

export function render(value: unknown, context: ExpressionContext): unknown {
  try {
    return renderTemplate(value, context);
  } catch (error) {
    throw asFailure(error);
  }
}

/**
 * The `with:` arguments of an action or check, rendered for its request: secret references stay
 * unresolved, listed in `secrets` (absent when there are none) for the worker to fill in.
 */
export function renderCallArguments(value: unknown, context: ExpressionContext): { input: unknown; secrets?: SecretSlot[] } {
  try {
    const { input, secrets } = renderArguments(value, context);
    return secrets.length === 0 ? { input } : { input, secrets };
  } catch (error) {
    throw asFailure(error);
  }
}

export function condition(expression: string, context: ExpressionContext): boolean {
  try {
    return evaluateCondition(expression, context);
  } catch (error) {
    throw asFailure(error);
  }
}
