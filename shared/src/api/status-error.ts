import type { GroupResource, Status, StatusCause, StatusReason } from './types.ts';
import { qualifiedResource } from './types.ts';

/**
 * An API error as a typed value: every failure that crosses a boundary (storage, registry,
 * HTTP, REST client) is a StatusError carrying the Kubernetes Status to answer or that was
 * answered. Messages follow k8s.io/apimachinery/pkg/api/errors word for word.
 */
export class StatusError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'unknown error');
    this.name = 'StatusError';
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason {
    return this.status.reason ?? '';
  }

  static from(code: number, reason: StatusReason, message: string, details?: Status['details']): StatusError {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) status.details = details;
    return new StatusError(status);
  }
}

function grDetails(gr: GroupResource, name: string): Status['details'] {
  return gr.group ? { name, group: gr.group, kind: gr.resource } : { name, kind: gr.resource };
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return StatusError.from(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, grDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return StatusError.from(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, grDetails(gr, name));
}

export const CONFLICT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, why: string = CONFLICT_MODIFIED): StatusError {
  return StatusError.from(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    grDetails(gr, name),
  );
}

/** A field error as apimachinery's field.Error renders it. */
export interface FieldError {
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueTooLong'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound'
    | 'FieldValueTooMany';
  field: string;
  /** The full human text after "<field>: ", e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  const texts = errs.map((e) => `${e.field}: ${e.detail}`);
  const summary = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const details: Status['details'] = { name, kind, causes };
  if (group) details.group = group;
  return StatusError.from(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, details);
}

export function badRequest(message: string): StatusError {
  return StatusError.from(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): StatusError {
  return StatusError.from(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): StatusError {
  return StatusError.from(406, 'NotAcceptable', message);
}

export function expired(message: string): StatusError {
  return StatusError.from(410, 'Expired', message);
}

export function gone(message: string): StatusError {
  return StatusError.from(410, 'Gone', message);
}

export function requestEntityTooLarge(message = 'the request is too large'): StatusError {
  return StatusError.from(413, 'RequestEntityTooLarge', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return StatusError.from(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml; got ${contentType}`);
}

export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return StatusError.from(403, 'Forbidden', `${subject} is forbidden: ${why}`, grDetails(gr, name));
}

export function tooManyRequests(message = 'too many requests, please try again later', retryAfterSeconds = 1): StatusError {
  return StatusError.from(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return StatusError.from(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function serviceUnavailable(message: string): StatusError {
  return StatusError.from(503, 'ServiceUnavailable', message);
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

export function isNotFound(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'NotFound';
}

export function isConflict(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'Conflict';
}

export function isAlreadyExists(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'AlreadyExists';
}

/** apimachinery's HasStatusCause: the Status names this cause type (e.g. 'NamespaceTerminating'). */
export function hasStatusCause(e: unknown, cause: string): boolean {
  return isStatusError(e) && (e.status.details?.causes ?? []).some((c) => c.reason === cause);
}

/** A create refused because its namespace is being deleted (NamespaceLifecycle admission). */
export function isNamespaceTerminating(e: unknown): boolean {
  return hasStatusCause(e, 'NamespaceTerminating');
}

/** 410 Gone or Expired: the resourceVersion asked for is older than what can be served. */
export function isExpired(e: unknown): boolean {
  return isStatusError(e) && e.code === 410;
}

/** A Status that is a success (delete of a collection, for instance). */
export function successStatus(details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}
