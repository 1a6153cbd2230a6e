/** One line saying what went wrong, for state, reports and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    // An ActivityFailure's own message is generic; its cause says what went wrong.
    return cause instanceof Error && error.message === 'Activity task failed' ? cause.message : error.message;
  }
  return String(error);
}
