/** `rebound setup` as a process against a real dev server, on namespaces created without Rebound's search attributes. */
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { searchAttributes } from '../../model/search-attributes';
import { indexedValueType, missingSearchAttributes } from '../../runtime/search-attributes';
import { runCli } from '../helpers/run-cli';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { waitFor } from '../helpers/wait-for';

let temporal: TestTemporal;

beforeAll(async () => {
  temporal = await startTestTemporal();
}, 120_000);

afterAll(() => temporal?.stop());

const env = (namespace: string) => ({ TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: namespace });

/** A namespace registered after the server started: it has none of the attributes the server was started with. */
async function newNamespace(namespace: string): Promise<string> {
  await temporal.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  // The frontend serves a new namespace once its namespace cache has refreshed.
  await waitFor(() => missingSearchAttributes(temporal.connection, namespace).then(() => true, () => false), `namespace ${namespace} to be served`, 30_000, 250);
  return namespace;
}

describe('rebound setup', () => {
  it('registers the three attributes, then reports them present on a second run, and recoveries can be found by them', async () => {
    const namespace = await newNamespace('setup-fresh');
    expect(await missingSearchAttributes(temporal.connection, namespace)).toEqual(['ReboundRunbook', 'ReboundKey', 'ReboundPhase']);

    const first = await runCli(['setup'], env(namespace));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        `search attributes of namespace setup-fresh on ${temporal.address}:`,
        '  ReboundRunbook  KEYWORD  added',
        '  ReboundKey      KEYWORD  added',
        '  ReboundPhase    KEYWORD  added',
        '',
      ].join('\n'),
    );

    const second = await runCli(['setup', '--json'], env(namespace));
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      address: temporal.address,
      namespace,
      attributes: ['ReboundRunbook', 'ReboundKey', 'ReboundPhase'].map((name) => ({ name, type: 'KEYWORD', status: 'present' })),
    });

    // What the attributes are for: a workflow started with them is found by a visibility query.
    const scoped = new Client({ connection: temporal.connection, namespace });
    await scoped.workflow.start('runRecovery', {
      workflowId: 'setup-check/key',
      taskQueue: 'nobody-polls-this',
      typedSearchAttributes: [
        { key: searchAttributes.runbook, value: 'setup-check' },
        { key: searchAttributes.key, value: 'key' },
        { key: searchAttributes.phase, value: 'preflight' },
      ],
    });
    const found = async () => {
      const ids: string[] = [];
      for await (const execution of scoped.workflow.list({ query: 'ReboundRunbook = "setup-check" AND ReboundPhase = "preflight"' })) ids.push(execution.workflowId);
      return ids;
    };
    await waitFor(async () => (await found()).length > 0, 'the workflow to be visible by its search attributes', 30_000, 200);
    expect(await found()).toEqual(['setup-check/key']);
    await scoped.workflow.getHandle('setup-check/key').terminate('test done');
  });

  it('adds only the missing attributes when some exist', async () => {
    const namespace = await newNamespace('setup-partial');
    await temporal.connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { ReboundKey: indexedValueType('KEYWORD') } });

    const run = await runCli(['setup', '--json'], env(namespace));
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { attributes: { name: string; status: string }[] }).attributes.map(({ name, status }) => `${name} ${status}`)).toEqual([
      'ReboundRunbook added',
      'ReboundKey present',
      'ReboundPhase added',
    ]);
    expect(await missingSearchAttributes(temporal.connection, namespace)).toEqual([]);
  });

  it('refuses an attribute registered with another type, in one line, and adds nothing', async () => {
    const namespace = await newNamespace('setup-conflict');
    await temporal.connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { ReboundPhase: indexedValueType('TEXT') } });

    const run = await runCli(['setup'], env(namespace));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'rebound: search attribute ReboundPhase exists in namespace setup-conflict with another type (expected KEYWORD); rename or remove it\n' +
        'hint: Rebound needs ReboundRunbook, ReboundKey and ReboundPhase as Keyword attributes\n',
    );
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {}).filter((name) => name.startsWith('Rebound'))).toEqual(['ReboundPhase']);
  });

  it('names a namespace that does not exist', async () => {
    const run = await runCli(['setup'], env('no-such-namespace'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `rebound: namespace no-such-namespace not found on ${temporal.address}\n` +
        'hint: create it first (`temporal operator namespace create --namespace no-such-namespace`) or set TEMPORAL_NAMESPACE\n',
    );
  });

  it('says when Temporal cannot be reached', async () => {
    const run = await runCli(['setup'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^rebound: cannot reach Temporal at 127\.0\.0\.1:1: .*\nhint: /);
  });
});
