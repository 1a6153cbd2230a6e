/**
 * The authorization policy file (`REBOUND_AUTHZ_FILE`, YAML), validated with zod; problems are
 * reported at `file:line:col`. See model/authz-policy.ts for what a policy means.
 *
 *     apiVersion: rebound/v1
 *     kind: AuthorizationPolicy
 *     metadata: { name: production }
 *     spec:
 *       groups: { sre: [alice, bob] }
 *       rules:
 *         - { identities: [group:sre], runbooks: ["*"], acts: ["*"] }
 *         - { identities: [carol], runbooks: [restart-service], acts: [start, pause, resume] }
 *         - { identities: ["webhook:alertmanager"], runbooks: ["*"], acts: [start] }
 */
import { z } from 'zod';
import { runbookHash } from './loader';
import { authorizedActs, type AuthzPolicy } from './authz-policy';
import { parseYamlDocument, type YamlProblem } from './yaml-document';

const identity = z.string().regex(/^\S+$/, { error: 'expected an identity without spaces: a name, group:<name>, webhook:<credential> or *' });

const ruleSchema = z.strictObject({
  identities: z.array(identity).min(1, { error: 'a rule needs at least one identity (or "*")' }),
  runbooks: z
    .array(z.string().regex(/^[a-z0-9*][a-z0-9*-]*$/, { error: 'expected a runbook name or a pattern with * (e.g. region-*)' }))
    .min(1, { error: 'a rule needs at least one runbook (or "*")' }),
  acts: z.array(z.enum([...authorizedActs, '*'], { error: `expected one of ${authorizedActs.join(', ')} or *` })).min(1, { error: 'a rule needs at least one act (or "*")' }),
});

export const authzPolicySchema = z
  .strictObject({
    apiVersion: z.literal('rebound/v1', { error: 'expected apiVersion: rebound/v1' }),
    kind: z.literal('AuthorizationPolicy', { error: 'expected kind: AuthorizationPolicy' }),
    metadata: z.strictObject({ name: z.string().min(1), description: z.string().optional() }),
    spec: z.strictObject({
      groups: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'expected a group name of letters, digits, . _ -' }), z.array(identity)).default({}),
      rules: z.array(ruleSchema).min(1, { error: 'a policy needs at least one rule; without a file, everything is allowed' }),
    }),
  })
  .superRefine((policy, ctx) => {
    policy.spec.rules.forEach((rule, index) => {
      rule.identities.forEach((entry, at) => {
        const group = entry.startsWith('group:') ? entry.slice('group:'.length) : undefined;
        if (group !== undefined && !Object.hasOwn(policy.spec.groups, group)) {
          ctx.addIssue({ code: 'custom', path: ['spec', 'rules', index, 'identities', at], message: `unknown group "${group}"; groups: ${Object.keys(policy.spec.groups).join(', ') || 'none'}` });
        }
      });
    });
  });

export type AuthzFileResult = { ok: true; policy: AuthzPolicy } | { ok: false; problems: YamlProblem[] };

/** Parses a policy file's text; problems name `file:line:col`. */
export function parseAuthzPolicy(text: string, file: string): AuthzFileResult {
  const parsed = parseYamlDocument(text, file, authzPolicySchema);
  if (!parsed.ok) return parsed;
  const { metadata, spec } = parsed.value;
  return { ok: true, policy: { name: metadata.name, hash: runbookHash(text), groups: spec.groups, rules: spec.rules } };
}
