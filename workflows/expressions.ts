/** The model's CEL evaluation, with errors turned into typed, non-retryable workflow failures. */
import { ApplicationFailure } from '@temporalio/workflow';
import { ExpressionError, evaluateCondition, renderTemplate, type ExpressionContext } from '../model/expressions';
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

export function condition(expression: string, context: ExpressionContext): boolean {
  try {
    return evaluateCondition(expression, context);
  } catch (error) {
    throw asFailure(error);
  }
}
