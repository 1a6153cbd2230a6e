/** ApplicationFailure types raised by the interpreter (activities have their own, in the model). */
export const RecoveryFailureTypes = {
  /** A template or condition could not be evaluated over the recovery's context. */
  expression: 'ExpressionFailed',
  /** A gate's expectation did not hold often enough before its timeout. */
  gateTimeout: 'GateTimeout',
} as const;
