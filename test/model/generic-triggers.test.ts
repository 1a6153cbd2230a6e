/** Generic triggers: the fields they need instead of labels, their defaults, and the schema's refusals. */
import { genericAlert, routeGeneric, TriggerParamsError, type GenericRequest } from '../../model/alert-routing';
import { triggerSchema } from '../../model/triggers';

const request: GenericRequest = { body: { service: 'cart', id: 7 }, receivedAt: '2026-11-25T15:00:00.000Z', bodyHash: 'ab'.repeat(32) };

describe('generic triggers', () => {
  it('default to the body hash as fingerprint, firing, and the receipt time as startsAt', () => {
    const trigger = triggerSchema.parse({ source: 'generic', params: { service: 'body.service' } });
    expect(genericAlert('r', trigger, request)).toEqual({ source: 'generic', status: 'firing', labels: {}, annotations: {}, startsAt: request.receivedAt, fingerprint: 'abababababababab' });
  });

  it('compute fingerprint, status and startsAt with CEL over the body; a number fingerprint becomes a string', () => {
    const trigger = triggerSchema.parse({ source: 'generic', fingerprint: 'body.id', status: "'resolved'", startsAt: "'2026-11-25T14:00:00+01:00'" });
    expect(genericAlert('r', trigger, request)).toMatchObject({ fingerprint: '7', status: 'resolved', startsAt: '2026-11-25T14:00:00+01:00' });
  });

  it('refuse a status other than firing or resolved, naming the field', () => {
    const trigger = triggerSchema.parse({ source: 'generic', status: "'broken'" });
    expect(() => genericAlert('r', trigger, request)).toThrow(TriggerParamsError);
    expect(() => genericAlert('r', trigger, request)).toThrow(/status.*expected 'firing' or 'resolved', got "broken"/);
  });

  it('route only runbooks whose when holds, with params over the body', () => {
    const runbook = (name: string, when: string) => ({ runbook: { metadata: { name }, spec: { triggers: [triggerSchema.parse({ source: 'generic', when, params: { service: 'body.service' } })] } } }) as never;
    const routes = routeGeneric([runbook('yes', "body.service == 'cart'"), runbook('no', "body.service == 'search'")], request);
    expect(routes.map((route: { params: unknown }) => route.params)).toEqual([{ service: 'cart' }]);
  });

  it.each([
    [{ source: 'generic', match: { alertname: 'X' } }, 'match', 'generic payloads have no labels'],
    [{ source: 'alertmanager', fingerprint: 'body.id' }, 'fingerprint', 'for source: generic only'],
    [{ source: 'grafana', when: 'true' }, 'when', 'for source: generic only'],
    [{ source: 'generic', status: 'body.(' }, 'status', 'invalid CEL expression'],
  ])('the schema refuses %j at %s', (trigger, field, message) => {
    const parsed = triggerSchema.safeParse(trigger);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: [field], message: expect.stringContaining(message) })]);
  });
});
