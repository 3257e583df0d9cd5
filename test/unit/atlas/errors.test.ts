import { describe, expect, it } from 'vitest';
import { AtlasApiError, errorFromResponse, hintFor } from '../../../src/atlas/errors.js';

describe('AtlasApiError mapping', () => {
  const cases: [string, number | undefined, string, RegExp, boolean][] = [
    ['bad key', 401, 'UNAUTHORIZED', /credentials/, false],
    ['IP not on access list', 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST', /egress IP .*access list/, false],
    ['org requires access list', 403, 'ORG_REQUIRES_ACCESS_LIST', /egress IP .*access list/, false],
    ['cluster not found', 404, 'CLUSTER_NOT_FOUND', /could not find/, false],
    ['restore in progress', 409, 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', /already running on the target/, false],
    ['automated restore cannot be cancelled', 400, 'CANNOT_CANCEL_AUTOMATED_RESTORE', /cannot cancel an automated .* wait/, false],
    ['wrong type (flex API)', 400, 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API', /type/, false],
    ['wrong type (cluster API)', 400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API', /type/, false],
    ['rate limited', 429, 'RATE_LIMITED_NAMESPACE', /rate limiting/, true],
    ['5xx', 503, 'SERVICE_UNAVAILABLE', /internal error/, true],
    ['timeout', undefined, 'ATLAS_TIMEOUT', /did not answer in time/, true],
    ['network', undefined, 'ATLAS_NETWORK_ERROR', /could not reach Atlas/, true],
  ];
  it.each(cases)('%s → actionable hint and transient flag', (_name, status, code, hint, transient) => {
    const error = new AtlasApiError({ status, errorCode: code });
    expect(error.hint).toMatch(hint);
    expect(error.hint.split(/[.!?](\s|$)/).filter((s) => s.trim()).length).toBe(1); // one sentence
    expect(error.transient).toBe(transient);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(Error);
  });

  it('builds from an Atlas ApiError body with status, code, detail and Retry-After', () => {
    const error = errorFromResponse(
      429,
      { error: 429, errorCode: 'RATE_LIMITED', detail: 'Too many requests.', reason: 'Too Many Requests' },
      'GET /api/atlas/v2/x',
      { retryAfterMs: 2000 },
    );
    expect(error).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED', detail: 'Too many requests.', retryAfterMs: 2000, transient: true });
    expect(error.message).toBe('Atlas 429 RATE_LIMITED (GET /api/atlas/v2/x): Too many requests.');
  });

  it('takes the code from X-Error-Code when the body has none; the body wins when both say', () => {
    const noCode = { error: 404, detail: 'No cluster named x exists.', reason: 'Not Found' };
    expect(errorFromResponse(404, noCode, 'GET /x', { headerErrorCode: 'CLUSTER_NOT_FOUND' }).errorCode).toBe('CLUSTER_NOT_FOUND');
    expect(errorFromResponse(404, { ...noCode, errorCode: 'RESOURCE_NOT_FOUND' }, 'GET /x', { headerErrorCode: 'OTHER' }).errorCode).toBe('RESOURCE_NOT_FOUND');
    expect(errorFromResponse(404, noCode, 'GET /x', { headerErrorCode: '' }).errorCode).toBe('HTTP_404');
  });

  it('keeps ApiError.parameters as the strings Atlas sends (the spec says objects; null happens too)', () => {
    const body = { error: 400, errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API', parameters: ['cluster-209'] };
    expect(errorFromResponse(400, body, 'GET /x').parameters).toEqual(['cluster-209']);
    expect(errorFromResponse(400, { ...body, parameters: [{ name: 'x' }] }, 'GET /x').parameters).toEqual(['{"name":"x"}']);
    expect(errorFromResponse(404, { ...body, parameters: null }, 'GET /x').parameters).toEqual([]);
  });

  it('falls back to HTTP_<status> when the body is not an ApiError', () => {
    expect(errorFromResponse(502, '<html>', 'GET /x').errorCode).toBe('HTTP_502');
    expect(errorFromResponse(502, undefined, 'GET /x').hint).toMatch(/internal error/);
  });

  it('has a generic hint for codes it does not know, also for a code that is a name every object has', () => {
    expect(hintFor(400, 'INVALID_ATTRIBUTE')).toMatch(/refused/);
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(hintFor(400, code)).toBe('Atlas refused the request: read the detail above and check the request.');
  });
});
