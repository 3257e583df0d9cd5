// A value that may hold credentials, fit to quote in an error message. Deliberately not parsed: the values that need
// masking most are the ones a URL parser refuses (a password with an unencoded "/", "?" or "#").

/**
 * Replaces everything between "://" (or the start, without a scheme) and the last "@" with `***`, and the values of a
 * query string too (ioredis reads options such as `password` from it).
 */
export function maskCredentials(value: string): string {
  let masked = value;
  const at = masked.lastIndexOf('@');
  if (at >= 0) {
    const scheme = masked.indexOf('://');
    const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    masked = `${masked.slice(0, start)}***${masked.slice(at)}`;
  }
  const query = masked.indexOf('?');
  return query >= 0 ? `${masked.slice(0, query)}?***` : masked;
}

/** What to tell an operator whose URL credentials are not percent-encoded. */
export const PERCENT_ENCODING_HINT = 'percent-encode the user and password: / as %2F, % as %25, @ as %40, : as %3A, ? as %3F, # as %23';
