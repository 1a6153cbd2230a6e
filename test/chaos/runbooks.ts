/** Runbooks written for the chaos suite (the shipped ones are used as they are). */

/**
 * Two changes with undos, then a gate that can never pass: the recovery must end rolled-back, the
 * fleet as it was. The undos go through the fault proxy's slow path, so compensations take long
 * enough for kills to land in them.
 */
export const compensateRunbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: chaos-compensate, description: "Changes two things then fails verification; both changes are undone." }
spec:
  params:
    service: { type: string, required: true }
    fleetUrl: { type: string, required: true }
    slowUrl: { type: string, required: true }
  key: "{{ params.service }}"
  steps:
    - id: shift
      action:
        name: http.request
        with: { method: PUT, url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/traffic", json: { weights: { eu-west: 50, us-east: 50 } } }
        undo:
          name: http.request
          with: { method: PUT, url: "{{ params.slowUrl }}/v1/services/{{ params.service }}/traffic", json: { weights: { eu-west: 100 } } }
    - id: grant
      action:
        name: http.request
        with: { url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/grants", json: { add: [{ principal: responder, role: admin }] } }
        undo:
          name: http.request
          with: { url: "{{ params.slowUrl }}/v1/services/{{ params.service }}/grants", json: { remove: [{ principal: responder, role: admin }] } }
    - id: impossible
      gate:
        check: http.check
        with: { url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/health" }
        expect: observation.json.errorRatio > 2.0
        interval: 500ms
        timeout: 4s
`;

/** A change, then a 10 s soak. */
export const soakRunbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: chaos-soak, description: "One change, then a soak on the service's health." }
spec:
  params:
    service: { type: string, required: true }
    fleetUrl: { type: string, required: true }
  key: "{{ params.service }}"
  steps:
    - id: grant
      action:
        name: http.request
        with: { url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/grants", json: { add: [{ principal: soak-watcher, role: read }] } }
    - id: soak
      watch:
        check: http.check
        with: { url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/health" }
        expect: observation.status == 200 && observation.json.errorRatio < 0.05
        interval: 1s
        duration: 10s
`;

/**
 * A change, then a change through a target that misbehaves (\`mode\` in the proxy's path: 5xx,
 * timeout or hang): retried with backoff within a short attempt timeout, then the step fails and
 * the first change is undone.
 */
export const targetFaultRunbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: chaos-target-fault, description: "A change through a failing target fails cleanly and compensates." }
spec:
  params:
    service: { type: string, required: true }
    fleetUrl: { type: string, required: true }
    faultyUrl: { type: string, required: true }
  key: "{{ params.service }}"
  timeout: 5m
  steps:
    - id: shift
      action:
        name: http.request
        with: { method: PUT, url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/traffic", json: { weights: { eu-west: 50, us-east: 50 } } }
        undo:
          name: http.request
          with: { method: PUT, url: "{{ params.fleetUrl }}/v1/services/{{ params.service }}/traffic", json: { weights: { eu-west: 100 } } }
    - id: through-faulty-target
      action:
        name: http.request
        with: { url: "{{ params.faultyUrl }}/v1/services/{{ params.service }}/grants", json: { add: [{ principal: responder, role: admin }] } }
        retry: { maxAttempts: 3, initialInterval: 200ms, maximumInterval: 1s }
        timeout: 2s
`;
