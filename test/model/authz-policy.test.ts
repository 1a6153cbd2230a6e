/** The authorization policy: what a rule allows (pure), and the file's validation at file:line:col. */
import { parseAuthzPolicy } from '../../model/authz-file';
import { authorizationDenial, type AuthzPolicy } from '../../model/authz-policy';
import { formatProblem } from '../../model/yaml-document';

const policy: AuthzPolicy = {
  name: 'p',
  hash: 'sha256:x',
  groups: { sre: ['alice'] },
  rules: [
    { identities: ['group:sre'], runbooks: ['*'], acts: ['*'] },
    { identities: ['carol'], runbooks: ['region-*'], acts: ['pause', 'resume'] },
    { identities: ['webhook:pager'], runbooks: ['restart-service'], acts: ['start'] },
    { identities: ['*'], runbooks: ['smoke-test'], acts: ['start'] },
  ],
};

describe('authorizationDenial', () => {
  it('allows everything without a policy', () => {
    expect(authorizationDenial(undefined, 'abort', 'anything', 'anyone')).toBeUndefined();
  });

  it.each([
    ['alice', 'abort', 'region-failover'],
    ['carol', 'pause', 'region-failover'],
    ['webhook:pager', 'start', 'restart-service'],
    ['mallory', 'start', 'smoke-test'],
  ] as const)('allows %s to %s %s', (identity, act, runbook) => {
    expect(authorizationDenial(policy, act, runbook, identity)).toBeUndefined();
  });

  it.each([
    ['carol', 'abort', 'region-failover'],
    ['carol', 'pause', 'regional'],
    ['webhook:pager', 'start', 'restart-service-2'],
    ['pager', 'start', 'restart-service'],
    ['group:sre', 'abort', 'smoke-test'],
    ['mallory', 'approve', 'smoke-test'],
  ] as const)('refuses %s to %s %s, saying who, what and which policy', (identity, act, runbook) => {
    expect(authorizationDenial(policy, act, runbook, identity)).toBe(`"${identity}" may not ${act} recoveries of ${runbook}: no rule of authorization policy "p" allows it`);
  });
});

describe('parseAuthzPolicy', () => {
  const text = (rules: string) => `apiVersion: rebound/v1
kind: AuthorizationPolicy
metadata: { name: p }
spec:
  groups: { sre: [alice] }
  rules:
${rules}`;

  it('reads a valid file, with its hash', () => {
    const parsed = parseAuthzPolicy(text('    - { identities: [group:sre], runbooks: ["*"], acts: ["*"] }\n'), 'authz.yaml');
    expect(parsed).toEqual({ ok: true, policy: { name: 'p', hash: expect.stringMatching(/^sha256:/), groups: { sre: ['alice'] }, rules: [{ identities: ['group:sre'], runbooks: ['*'], acts: ['*'] }] } });
  });

  it('refuses unknown groups, acts and fields at file:line:col', () => {
    const parsed = parseAuthzPolicy(text('    - { identities: [group:ops], runbooks: [x], acts: [reboot] }\n    - { identities: [a], runbooks: [x], acts: [start], when: always }\n'), 'authz.yaml');
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems.map(formatProblem)).toEqual([
      'authz.yaml:7:56: rules[0].acts[0]: expected one of start, approve, reject, pause, resume, skip, retry, abort or *',
      'authz.yaml:8:56: rules[1].when: unknown field',
    ]);
  });

  it('refuses a rule naming a group that is not defined', () => {
    const parsed = parseAuthzPolicy(text('    - { identities: [group:ops], runbooks: [x], acts: [start] }\n'), 'authz.yaml');
    expect(parsed.ok ? [] : parsed.problems.map(formatProblem)).toEqual(['authz.yaml:7:22: rules[0].identities[0]: unknown group "ops"; groups: sre']);
  });
});
