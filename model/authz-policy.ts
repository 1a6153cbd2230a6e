/**
 * Who may do what to which recoveries: the authorization policy (`REBOUND_AUTHZ_FILE`, parsed in
 * model/authz-file.ts). The policy is read when a recovery starts and pinned into its input, so
 * the recovery itself refuses an act no rule allows, whichever client sends it. Pure and
 * deterministic (no zod): used inside workflows.
 */

/** What a policy rule can allow. `approve`/`reject` are checked on top of an approval step's own approvers. */
export const authorizedActs = ['start', 'approve', 'reject', 'pause', 'resume', 'skip', 'retry', 'abort'] as const;
export type AuthorizedAct = (typeof authorizedActs)[number];

/** One rule: these identities may do these acts to recoveries of these runbooks. */
export interface AuthzRule {
  /** Identities as recorded (`alice`), `group:<name>`, `webhook:<credential name>`, or `*` (anyone). */
  identities: string[];
  /** Runbook names; `*` matches any run of characters (`region-*`, `*`). */
  runbooks: string[];
  /** Acts, or `*` for all of them. */
  acts: (AuthorizedAct | '*')[];
}

/** A parsed policy as a recovery carries it. */
export interface AuthzPolicy {
  /** The policy's metadata.name, quoted in refusals. */
  name: string;
  /** `sha256:…` of the file it was read from. */
  hash: string;
  groups: Record<string, string[]>;
  rules: AuthzRule[];
}

/** The identity an alert start is authorized as: the name of the webhook credential that sent it. */
export function webhookIdentity(credentialName: string): string {
  return `webhook:${credentialName}`;
}

function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(name);
}

function identityMatches(entry: string, identity: string, groups: Record<string, string[]>): boolean {
  if (entry === '*') return true;
  if (entry.startsWith('group:')) return Object.hasOwn(groups, entry.slice('group:'.length)) && (groups[entry.slice('group:'.length)] ?? []).includes(identity);
  return entry === identity;
}

/**
 * Why `identity` may not do `act` to a recovery of `runbook`, or undefined when a rule allows it.
 * Without a policy everything is allowed (what Rebound did before policies).
 */
export function authorizationDenial(policy: AuthzPolicy | undefined, act: AuthorizedAct, runbook: string, identity: string): string | undefined {
  if (policy === undefined) return undefined;
  const allowed = policy.rules.some(
    (rule) =>
      (rule.acts.includes('*') || rule.acts.includes(act)) &&
      rule.runbooks.some((pattern) => globMatches(pattern, runbook)) &&
      rule.identities.some((entry) => identityMatches(entry, identity, policy.groups)),
  );
  return allowed ? undefined : `"${identity}" may not ${act} recoveries of ${runbook}: no rule of authorization policy "${policy.name}" allows it`;
}
