import { setTimeout as delay } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import {
  indexedValueType,
  missingSearchAttributes,
  registerSearchAttributes,
  SearchAttributeConflictError,
} from '../../runtime/search-attributes';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const keyword = indexedValueType('KEYWORD');
const text = indexedValueType('TEXT');

describe('registerSearchAttributes on a namespace created without them', () => {
  let temporalServer: TestTemporal;
  let connection: Connection;

  beforeAll(async () => {
    temporalServer = await startTestTemporal();
    connection = temporalServer.connection;
  });

  afterAll(() => temporalServer?.stop());

  /** A namespace that exists after the dev server started, so it has no custom search attributes. */
  async function newNamespace(namespace: string): Promise<string> {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // The frontend serves a new namespace only after its namespace cache refreshes.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await missingSearchAttributes(connection, namespace);
        return namespace;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await delay(250);
      }
    }
  }

  it('adds the three Keyword attributes and is idempotent', async () => {
    const namespace = await newNamespace('rebound-register');
    expect(await missingSearchAttributes(connection, namespace)).toEqual(['ReboundRunbook', 'ReboundKey', 'ReboundPhase']);

    await registerSearchAttributes(connection, namespace);
    await registerSearchAttributes(connection, namespace);

    expect(await missingSearchAttributes(connection, namespace)).toEqual([]);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(customAttributes).toMatchObject({ ReboundRunbook: keyword, ReboundKey: keyword, ReboundPhase: keyword });
  });

  it('adds only the missing ones when some exist already', async () => {
    const namespace = await newNamespace('rebound-partial');
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { ReboundKey: keyword } });

    await registerSearchAttributes(connection, namespace);

    expect(await missingSearchAttributes(connection, namespace)).toEqual([]);
  });

  it('refuses, naming the attribute, when one exists with another type', async () => {
    const namespace = await newNamespace('rebound-conflict');
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { ReboundPhase: text } });

    const register = registerSearchAttributes(connection, namespace);
    await expect(register).rejects.toThrow(SearchAttributeConflictError);
    await expect(register).rejects.toThrow('search attribute ReboundPhase exists in namespace rebound-conflict with another type (expected KEYWORD)');
  });
});
