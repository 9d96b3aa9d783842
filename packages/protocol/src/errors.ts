/**
 * The one error catalogue of Beckon (spec/compat.md §12.4 and §10). Every error a service throws is a
 * `BeckonError` built from a code listed here; routes map it to `{code, message}` with the listed status.
 * `docs/errors.md` lists the same codes, and a test checks that the two agree.
 */

export const errorCatalog = {
  invalidJson: { status: 400, message: 'The body is not valid JSON, or not of the expected shape' },
  invalidParameter: { status: 400, message: 'A query or path parameter is invalid' },
  batchTooLarge: { status: 400, message: 'The batch holds more events than allowed' },
  missingField: { status: 400, message: 'A required field is missing' },
  invalidField: { status: 400, message: 'A field has an invalid value' },
  compileError: { status: 400, message: 'The rule package or strategy does not compile' },
  unauthorized: { status: 401, message: 'A valid API key or session is required' },
  forbidden: { status: 403, message: 'The credentials do not allow this operation' },
  notFound: { status: 404, message: 'No such resource' },
  methodNotAllowed: { status: 405, message: 'Method not allowed on this path' },
  conflict: { status: 409, message: 'The resource already exists or is in another state' },
  wrongState: { status: 409, message: 'The action is not allowed in the current state' },
  payloadTooLarge: { status: 413, message: 'The body is too large' },
  unsupportedMediaType: { status: 415, message: 'Unsupported Content-Type' },
  rateLimited: { status: 429, message: 'Too many requests' },
  internal: { status: 500, message: 'Internal error' },
  notImplemented: { status: 501, message: 'Not implemented' },
  unavailable: { status: 503, message: 'Service temporarily unavailable' },
  noAgents: { status: 503, message: 'No eligible agent is logged in' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/**
 * Per-event rejection codes of `POST /server/events` (spec/compat.md §10). They appear inside a 202 body,
 * never as a response status.
 */
export const eventRejectionCatalog = {
  invalidEvent: 'The event is not a JSON object',
  missingField: 'A required field is missing',
  invalidField: 'A field has an invalid value',
  unknownSystemEvent: 'Unknown SYSTEM event name',
  tooLarge: 'The event is larger than allowed',
  idConflict: 'The pageID belongs to another visit',
  visitExpired: 'The visit has reached its maximum age',
  invalidSignature: 'The userIdSignature does not verify',
} as const;

export type EventRejectionCode = keyof typeof eventRejectionCatalog;

/** An error from the catalogue, with a message that names the field or parameter at fault. */
export class BeckonError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra fields of the answer, e.g. `errors` and `warnings` of a compileError. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message?: string,
    headers: Record<string, string> = {},
    details: Record<string, unknown> = {},
  ) {
    super(message ?? errorCatalog[code].message);
    this.name = 'BeckonError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.headers = headers;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string } & Record<string, unknown> {
    return { ...this.details, code: this.code, message: this.message };
  }
}

export function isBeckonError(value: unknown): value is BeckonError {
  return value instanceof BeckonError;
}
