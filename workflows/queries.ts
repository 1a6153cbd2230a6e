/** Messages a recovery answers. Shared by the workflow and every client (CLI, webhook, tests). */
import { defineQuery } from '@temporalio/workflow';
import type { RecoveryState } from '../model/recovery';

/** The recovery's phase, steps, compensations and time budget, as of now. */
export const stateQuery = defineQuery<RecoveryState>('state');
