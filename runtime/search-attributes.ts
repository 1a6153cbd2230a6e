/**
 * Registers Rebound's search attributes on a Temporal cluster. The dev server gets them from
 * `--search-attribute` flags; self-hosted clusters need this once per namespace. (Temporal Cloud
 * does not serve the operator API: register them there with `tcld` or the Cloud UI.)
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { searchAttributes } from '../model/search-attributes';

/** Thrown when a Rebound search attribute exists on the cluster with a different type. */
export class SearchAttributeConflictError extends Error {
  override readonly name = 'SearchAttributeConflictError';
}

// gRPC status ALREADY_EXISTS: another process registered an attribute since we listed them.
const grpcAlreadyExists = 6;

/** The operator API's enum value for an SDK search attribute type. */
export function indexedValueType(type: SearchAttributeType) {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new TypeError(`no indexed value type for search attribute type ${type}`);
  return encoded;
}

/** Names of Rebound's search attributes that the namespace does not have yet. */
export async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  const missing: string[] = [];
  for (const { name, type } of Object.values(searchAttributes)) {
    const expected = indexedValueType(type);
    const actual = registered[name];
    if (actual === undefined) missing.push(name);
    else if (actual !== expected) {
      throw new SearchAttributeConflictError(
        `search attribute ${name} exists in namespace ${namespace} with another type (expected ${type}); rename or remove it`,
      );
    }
  }
  return missing;
}

/** Adds whichever Rebound search attributes are missing and returns their names; safe to call any number of times. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const missing = new Set(await missingSearchAttributes(connection, namespace));
    if (missing.size === 0) return [];
    const toAdd = Object.fromEntries(
      Object.values(searchAttributes)
        .filter(({ name }) => missing.has(name))
        .map(({ name, type }) => [name, indexedValueType(type)]),
    );
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: toAdd });
      return Object.keys(toAdd);
    } catch (error) {
      // The server rejects the whole request if any one exists already: look again and add the rest.
      if ((error as { code?: unknown }).code !== grpcAlreadyExists || attempt >= 3) throw error;
    }
  }
}
