/** ApplicationFailures that only driver activities raise (the shared ones are in ../failures). */
import { ApplicationFailure } from '@temporalio/common';

/** ApplicationFailure types raised by driver activities. */
export const DriverFailureTypes = {
  /** The worker was started without an inventory: drivers do not know which system to act on. */
  noInventory: 'NoInventory',
  /** The system answered 2xx with a body the driver does not understand: a contract mismatch, not a blip. */
  unexpectedAnswer: 'DriverUnexpectedAnswer',
} as const;

export function noInventory(activity: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${activity} needs an inventory: set REBOUND_INVENTORY to an inventory YAML file (see examples/inventory.yaml) and restart the worker`,
    DriverFailureTypes.noInventory,
  );
}

export function unexpectedAnswer(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, DriverFailureTypes.unexpectedAnswer, details);
}
