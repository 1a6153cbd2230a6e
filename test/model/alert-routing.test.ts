import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { routeAlert, TriggerParamsError, type NormalizedAlert } from '../../model/alert-routing';
import { parseRunbook } from '../../model/loader';
import type { Runbook } from '../../model/runbook';

const fixtures = path.join(__dirname, '..', 'fixtures', 'runbooks-alerts');

function runbook(yaml: string): { runbook: Runbook } {
  const loaded = parseRunbook(yaml, 'inline.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { runbook: loaded.runbook };
}

const withTriggers = (name: string, triggers: string, params = 'service: { type: string, required: true }') =>
  runbook(`apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params: { ${params} }
  key: "{{ params.service }}"
  triggers:
${triggers}
  steps: [{ id: hold, wait: { duration: 1s } }]
`);

const alert = (labels: Record<string, string>, overrides: Partial<NormalizedAlert> = {}): NormalizedAlert => ({
  source: 'alertmanager',
  status: 'firing',
  labels,
  annotations: { summary: '5xx > 5%' },
  startsAt: '2026-11-25T12:17:27.754375569Z',
  fingerprint: '7d2d332feada5c59',
  ...overrides,
});

describe('routeAlert', () => {
  const fixture = parseRunbook(readFileSync(path.join(fixtures, 'checkout-error-rate.yaml'), 'utf8'), 'checkout-error-rate.yaml');
  if (!fixture.ok) throw new Error(JSON.stringify(fixture.problems));

  it('routes the fixture alert to the runbook whose matchers accept it, with params from its labels', () => {
    const routes = routeAlert([fixture], alert({ alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }));
    expect(routes).toEqual([{ target: fixture, trigger: 0, params: { service: 'checkout', severity: 'critical' } }]);
  });

  it('anchors regex matchers at both ends, as Alertmanager does', () => {
    expect(routeAlert([fixture], alert({ alertname: 'HighErrorRate', service: 'checkout', severity: 'critical-ish' }))).toEqual([]);
  });

  it('treats a missing label as the empty string', () => {
    const optional = withTriggers('optional-label', '    - { source: alertmanager, match: { team: "" }, params: { service: labels.service } }');
    expect(routeAlert([optional], alert({ service: 'checkout' }))).toHaveLength(1);
    expect(routeAlert([optional], alert({ service: 'checkout', team: 'payments' }))).toHaveLength(0);
  });

  it('ignores alerts from another source', () => {
    expect(routeAlert([fixture], alert({ alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, { source: 'generic' }))).toEqual([]);
  });

  it('routes one alert to every runbook that matches, once per runbook (its first matching trigger)', () => {
    const twice = withTriggers('twice', ['    - { source: alertmanager, match: { service: checkout }, params: { service: "\'first\'" } }', '    - { source: alertmanager, params: { service: "\'second\'" } }'].join('\n'));
    const other = withTriggers('other', '    - { source: alertmanager, matchRe: { service: "check.*" }, params: { service: labels.service } }');
    const routes = routeAlert([twice, other], alert({ service: 'checkout' }));
    expect(routes.map((route) => [route.target.runbook.metadata.name, route.trigger, route.params])).toEqual([
      ['twice', 0, { service: 'first' }],
      ['other', 0, { service: 'checkout' }],
    ]);
  });

  it('matches label regexes with RE2 semantics, anchored at both ends as Alertmanager does', () => {
    const anchored = withTriggers('anchored', '    - { source: alertmanager, matchRe: { service: "check|pay" }, params: { service: labels.service } }');
    expect(routeAlert([anchored], alert({ service: 'check' }))).toHaveLength(1);
    expect(routeAlert([anchored], alert({ service: 'pay' }))).toHaveLength(1);
    // Anchored around the whole alternation: neither 'checkout' nor 'repay' match.
    expect(routeAlert([anchored], alert({ service: 'checkout' }))).toHaveLength(0);
    expect(routeAlert([anchored], alert({ service: 'repay' }))).toHaveLength(0);
    // RE2 classes; `$` is the end of the text, so a trailing newline does not match.
    const classes = withTriggers('classes', '    - { source: alertmanager, matchRe: { instance: "[[:alpha:]]+-\\\\d{2}" }, params: { service: labels.service } }');
    expect(routeAlert([classes], alert({ service: 'a', instance: 'node-01' }))).toHaveLength(1);
    expect(routeAlert([classes], alert({ service: 'a', instance: 'node-01\n' }))).toHaveLength(0);
    expect(routeAlert([classes], alert({ service: 'a', instance: 'node-1' }))).toHaveLength(0);
    // A missing label is "", which `.*` matches.
    const any = withTriggers('any', '    - { source: alertmanager, matchRe: { team: ".*" }, params: { service: labels.service } }');
    expect(routeAlert([any], alert({ service: 'checkout' }))).toHaveLength(1);
  });

  it('gives params the annotations, startsAt, fingerprint and status of the alert', () => {
    const all = withTriggers(
      'all-fields',
      '    - { source: alertmanager, params: { service: "annotations.summary + \'/\' + fingerprint + \'/\' + status + \'/\' + startsAt" } }',
    );
    expect(routeAlert([all], alert({}, { status: 'resolved' }))[0]?.params).toEqual({ service: '5xx > 5%/7d2d332feada5c59/resolved/2026-11-25T12:17:27.754375569Z' });
  });

  it('names the runbook and param when a param cannot be computed from the alert', () => {
    expect(() => routeAlert([fixture], alert({ alertname: 'HighErrorRate', severity: 'page' }))).toThrow(TriggerParamsError);
    expect(() => routeAlert([fixture], alert({ alertname: 'HighErrorRate', severity: 'page' }))).toThrow(/error-rate-recovery: param "service"/);
  });
});

describe('spec.triggers validation', () => {
  const problems = (triggers: string) => {
    const loaded = parseRunbook(
      `apiVersion: rebound/v1\nkind: Runbook\nmetadata: { name: bad }\nspec:\n  triggers:\n${triggers}\n  steps: [{ id: hold, wait: { duration: 1s } }]\n`,
      'bad.yaml',
    );
    return loaded.ok ? [] : loaded.problems.map((problem) => `${problem.field}: ${problem.message}`);
  };

  it('rejects an unknown source, a bad regex, a bad CEL expression and unknown fields', () => {
    expect(problems('    - { source: pagerduty }').join('\n')).toMatch(/source: expected a source: alertmanager, grafana, generic/);
    expect(problems('    - { source: alertmanager, matchRe: { service: "(" } }').join('\n')).toMatch(/matchRe.service: invalid regular expression/);
    // JavaScript's RegExp would take these; RE2 (Alertmanager's syntax) does not: refused, not matched differently.
    expect(problems('    - { source: alertmanager, matchRe: { service: "(?!canary).*" } }').join('\n')).toMatch(/matchRe.service: invalid regular expression \(RE2 syntax/);
    expect(problems('    - { source: alertmanager, matchRe: { service: "(a)\\\\1" } }').join('\n')).toMatch(/matchRe.service: invalid regular expression \(RE2 syntax/);
    expect(problems('    - { source: alertmanager, params: { service: "labels.(" } }').join('\n')).toMatch(/params.service: invalid CEL expression/);
    expect(problems('    - { source: alertmanager, labels: { a: b } }').join('\n')).toMatch(/labels/);
  });

  it('accepts a cooldown duration and rejects a bad one', () => {
    const loaded = parseRunbook('apiVersion: rebound/v1\nkind: Runbook\nmetadata: { name: c }\nspec:\n  cooldown: soon\n  steps: [{ id: hold, wait: { duration: 1s } }]\n', 'c.yaml');
    expect(loaded.ok).toBe(false);
  });
});
