/**
 * zod schemas of the driver activities' inputs (`DriverCall.input`), shared by every driver.
 * Each is checked at compile time against the interface in model/drivers.ts.
 */
import { z } from 'zod';
import type { DriverActivities } from '../../model/drivers';

/** The input type of driver activity `Name`, as model/drivers.ts declares it. */
type InputOf<Name extends keyof DriverActivities> = Parameters<DriverActivities[Name]>[0]['input'];

/** Sums within this of 100 count as 100 (33.3 + 33.3 + 33.4), as the fleet counts them. */
export const weightTolerance = 1e-6;

const service = z.string().min(1, { error: 'expected a service name' });
const siteName = z.string().min(1, { error: 'expected a site name' });

const deployment = z.strictObject({
  version: z.string().min(1, { error: 'expected a version like v41' }),
  config: z.record(z.string(), z.string({ error: 'config values are strings' })).default({}),
});

const grantRef = z.strictObject({ principal: z.string().min(1), role: z.string().min(1) });

const grant = z.strictObject({
  principal: z.string().min(1),
  role: z.string().min(1),
  breakGlass: z.boolean().optional(),
  expiresAt: z.iso.datetime({ offset: true, error: 'expected an ISO date-time like 2030-01-01T00:00:00Z' }).optional(),
});

export const driverInputs = {
  'deployments.observe': z.strictObject({
    service,
    sites: z.array(siteName).optional(),
    targets: z.array(z.string().min(1)).optional(),
  }) satisfies z.ZodType<InputOf<'deployments.observe'>>,
  'deployments.apply': z.strictObject({
    service,
    target: z.string().min(1, { error: 'expected a replica id' }),
    desired: deployment,
  }) satisfies z.ZodType<InputOf<'deployments.apply'>>,
  'traffic.read': z.strictObject({ service }) satisfies z.ZodType<InputOf<'traffic.read'>>,
  'traffic.shift': z.strictObject({
    service,
    weights: z
      .record(siteName, z.number().min(0, { error: 'a weight is a percentage ≥ 0' }).max(100, { error: 'a weight is a percentage ≤ 100' }))
      .refine((weights) => Math.abs(Object.values(weights).reduce((sum, weight) => sum + weight, 0) - 100) <= weightTolerance, {
        error: (issue) => `weights sum to ${Object.values(issue.input as Record<string, number>).reduce((sum, weight) => sum + weight, 0)}, expected 100`,
      }),
  }) satisfies z.ZodType<InputOf<'traffic.shift'>>,
  'traffic.sites': z.strictObject({ sites: z.array(siteName).optional() }) satisfies z.ZodType<InputOf<'traffic.sites'>>,
  'access.read': z.strictObject({ service }) satisfies z.ZodType<InputOf<'access.read'>>,
  'access.apply': z.strictObject({
    service,
    diff: z.strictObject({ add: z.array(grant).default([]), remove: z.array(grantRef).default([]) }),
  }) satisfies z.ZodType<InputOf<'access.apply'>>,
  'access.revoke': z.strictObject({ service, principal: z.string().min(1), role: z.string().min(1) }) satisfies z.ZodType<
    InputOf<'access.revoke'>
  >,
} satisfies Record<keyof DriverActivities, z.ZodType>;
