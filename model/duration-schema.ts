/** The zod schema of a duration string (kept apart so workflow bundles do not carry zod). */
import { z } from 'zod';
import { durationMs, durationPattern } from './duration';

export const durationSchema = z.string({ error: 'expected a duration like 30s, 5m or 1h30m' }).superRefine((text, ctx) => {
  if (!durationPattern.test(text)) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m or 1h30m, got "${text}"` });
  } else if (durationMs(text) === 0) {
    ctx.addIssue({ code: 'custom', message: 'a duration must be greater than zero' });
  }
});
