// A non-2xx answer as a typed error: the Status the server sent, or, when the body is not a
// Status (a proxy's HTML page, plain text), one made from the code as apimachinery's
// NewGenericServerResponse does, so callers can always test reason and code.

import type { Status, StatusReason } from '../api/types.ts';
import { StatusError } from '../api/status-error.ts';

const REASONS: Record<number, [StatusReason, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server has asked for the client to provide a newer resource version'],
  413: ['RequestEntityTooLarge', 'the request is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to process the request body'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** The error for a non-2xx answer: the body's Status, or one made from the code. */
export function statusErrorFromResponse(code: number, body: string): StatusError {
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') {
      return new StatusError({ ...(parsed as Status), code: parsed.code || code, status: parsed.status ?? 'Failure', metadata: parsed.metadata ?? {} });
    }
  } catch {
    // not JSON: fall through to a generic Status
  }
  const [reason, text] = REASONS[code] ?? (code >= 500 ? REASONS[500] : ['', `the server responded with the status code ${code}`]);
  const trimmed = body.trim();
  const message = trimmed ? `${text} (${trimmed.slice(0, 500)})` : text;
  return StatusError.from(code, reason, message);
}
