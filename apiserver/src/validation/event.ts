// core/v1 Events (core validation: ValidateEventCreate/Update in their legacy form, which is
// what v1 requests get): the namespace must agree with the involved object's, and events
// that carry an eventTime need the reporting fields. Object metadata is left to the generic
// checks (any path-segment name), as upstream does for v1 events.

import type { FieldError, KubeObject } from '@minik8s/shared';
import { invalid, required } from './field-error.ts';
import { isDNS1123Subdomain, isQualifiedName } from './names.ts';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

export function validateEvent(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = ev.metadata.namespace ?? '';
  const involved = (ev.involvedObject ?? {}) as Record<string, unknown>;
  const involvedNs = String(involved.namespace ?? '');
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (namespace !== '' && namespace !== 'default') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (namespace !== involvedNs) {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    const controller = String(ev.reportingComponent ?? '');
    if (!controller) errs.push(required('source'));
    for (const m of isQualifiedName(controller)) errs.push(invalid('source', controller, m));
    const instance = String(ev.reportingInstance ?? '');
    if (!instance) errs.push(required('reportingInstance'));
    if (instance.length > REPORTING_INSTANCE_LIMIT) errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    const action = String(ev.action ?? '');
    if (!action) errs.push(required('action'));
    if (action.length > ACTION_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
    const reason = String(ev.reason ?? '');
    if (!reason) errs.push(required('reason'));
    if (reason.length > REASON_LIMIT) errs.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (String(ev.message ?? '').length > NOTE_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const m of isDNS1123Subdomain(namespace)) errs.push(invalid('namespace', namespace, m));
  return errs;
}
