/** Rebound's search attributes: how recoveries are found in the Temporal UI and `rebound list`. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributes = {
  runbook: defineSearchAttributeKey('ReboundRunbook', SearchAttributeType.KEYWORD),
  key: defineSearchAttributeKey('ReboundKey', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('ReboundPhase', SearchAttributeType.KEYWORD),
};

export const searchAttributeNames = ['ReboundRunbook', 'ReboundKey', 'ReboundPhase'] as const;
