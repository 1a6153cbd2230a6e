/**
 * The recoveries the chaos suite runs, one per fleet service, cycling through the primitives so
 * kills land in rollback waves, failover shifts, permission re-syncs, approvals, compensations
 * and soaks. Each knows the outcome an undisturbed run reaches.
 */
import type { Client } from '@temporalio/client';
import type { Outcome } from '../../model/recovery';
import type { TestFleet } from '../helpers/fleet';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startShippedRunbook } from '../helpers/runbook-files';
import { compensateRunbook, soakRunbook } from './runbooks';

export interface ScenarioContext {
  client: Client;
  taskQueue: string;
  fleet: TestFleet;
  /** The fault proxy's base URL. */
  proxyUrl: string;
}

export interface Scenario {
  kind: string;
  service: string;
  expected: Outcome;
  /** Two approvers answer once the approval is pending (region-evacuation). */
  approvers?: string[];
  /** The world breaking before the recovery starts. */
  prepare(context: ScenarioContext): Promise<void>;
  start(context: ScenarioContext): Promise<{ workflowId: string; firstExecutionRunId: string }>;
}

type Template = Omit<Scenario, 'service' | 'prepare' | 'start'> & {
  prepare?(context: ScenarioContext, service: string): Promise<void>;
  start(context: ScenarioContext, service: string): Promise<{ workflowId: string; firstExecutionRunId: string }>;
};

const starter = { source: 'chaos', by: 'chaos-operator' };

const templates: Template[] = [
  {
    kind: 'rollback',
    expected: 'recovered',
    prepare: async ({ fleet }, service) => void (await fleet.fault('bad-deploy', { service, version: 'v2' })),
    start: ({ client, taskQueue, fleet }, service) => startShippedRunbook(client, taskQueue, 'service-rollback', { service, fleetUrl: fleet.url }, starter),
  },
  {
    kind: 'failover',
    expected: 'recovered',
    start: ({ client, taskQueue, fleet }, service) => startShippedRunbook(client, taskQueue, 'region-failover', { service, from: 'eu-west', to: 'us-east', fleetUrl: fleet.url }, starter),
  },
  {
    kind: 'compensation',
    expected: 'rolled-back',
    start: ({ client, taskQueue, fleet, proxyUrl }, service) => startRecoveryFromYaml(client, taskQueue, compensateRunbook, { service, fleetUrl: fleet.url, slowUrl: `${proxyUrl}/slow` }),
  },
  {
    kind: 'approval',
    expected: 'recovered',
    approvers: ['alice', 'bob'],
    start: ({ client, taskQueue }, service) => startShippedRunbook(client, taskQueue, 'region-evacuation', { service, from: 'eu-west', to: 'us-east' }, starter),
  },
  {
    kind: 'permissions',
    expected: 'recovered',
    prepare: async ({ fleet }, service) => {
      await fleet.fault('permission-desync', { service, add: [{ principal: 'intruder', role: 'admin' }], remove: [{ principal: 'auditor', role: 'read' }] });
      await fleet.fault('break-glass', { service, principal: 'oncall-2', role: 'admin', ttl: '1h' });
    },
    start: ({ client, taskQueue }, service) => startShippedRunbook(client, taskQueue, 'permission-resync', { service }, starter),
  },
  {
    kind: 'soak',
    expected: 'recovered',
    start: ({ client, taskQueue, fleet }, service) => startRecoveryFromYaml(client, taskQueue, soakRunbook, { service, fleetUrl: fleet.url }),
  },
];

export const serviceName = (index: number): string => `svc-${String(index + 1).padStart(2, '0')}`;

/** `count` recoveries on services svc-01…, cycling through the templates. */
export function scenarios(count: number): Scenario[] {
  return Array.from({ length: count }, (_unused, index) => {
    const template = templates[index % templates.length] as Template;
    const service = serviceName(index);
    return {
      kind: template.kind,
      service,
      expected: template.expected,
      approvers: template.approvers,
      prepare: (context) => template.prepare?.(context, service) ?? Promise.resolve(),
      start: (context) => template.start(context, service),
    };
  });
}
