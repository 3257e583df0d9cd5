// Atlas ApiError bodies and the exception the fake's routes throw to answer with one. Shaped like the recorded
// ones (fake-atlas-reality.ts: errorHeaders, parametersAreStrings).

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export interface FieldViolation { field: string; description: string }

/** `ApiError {error, errorCode, detail, reason, parameters}` as Atlas sends it: parameters are strings, not the spec's objects. */
export function apiErrorBody(status: number, errorCode: string, detail: string, fields?: FieldViolation[], parameters: readonly string[] = []): Record<string, unknown> {
  const body: Record<string, unknown> = {
    detail,
    error: status,
    errorCode,
    parameters: [...parameters],
    reason: REASONS[status] ?? 'Error',
  };
  if (fields) body['badRequestDetail'] = { fields };
  return body;
}

export class FakeAtlasHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly fields?: FieldViolation[],
    /** e.g. the cluster name, as Atlas names it in `parameters`. */
    readonly parameters: readonly string[] = [],
  ) {
    super(`${status} ${errorCode}: ${detail}`);
  }

  body(): Record<string, unknown> {
    return apiErrorBody(this.status, this.errorCode, this.detail, this.fields, this.parameters);
  }
}
