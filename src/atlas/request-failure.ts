// What a request that got no answer at all failed with: a timeout, a TLS certificate check, or another network
// error, named by the system's code (never by anything from the request, so no credential can end up in it).
import { AtlasApiError } from './errors.js';
import { failedAfterHandshake } from './send-http-request.js';

/**
 * Certificate checks of the TLS handshake (OpenSSL's verify codes as Node reports them, and Node's host name check).
 * They fail before any byte of the request is encrypted and sent, and asking again seconds later won't change them.
 */
const TLS_HANDSHAKE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  // An https:// URL answered by something that doesn't speak TLS (a plain-HTTP proxy port).
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export function requestFailure(error: unknown, label: string, timeoutMs: number): AtlasApiError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AtlasApiError({ errorCode: 'ATLAS_TIMEOUT', detail: `no answer within ${timeoutMs} ms`, request: label, cause: error });
  }
  // node:http puts the system error's code on the error itself; a wrapped one carries it on its cause.
  const own = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof own?.code === 'string' ? own.code : typeof own?.cause?.code === 'string' ? own.cause.code : undefined;
  // Past the handshake the same codes mean a connection broken after the request may have gone out: a network error
  // (for a create, an unknown outcome), never "a certificate the bot doesn't trust, nothing sent".
  if (code !== undefined && TLS_HANDSHAKE_CODES.has(code) && !failedAfterHandshake(error)) {
    return new AtlasApiError({ errorCode: 'ATLAS_TLS_ERROR', detail: `TLS handshake failed: ${code}`, request: label, cause: error });
  }
  return new AtlasApiError({
    errorCode: 'ATLAS_NETWORK_ERROR',
    detail: code ? `network error ${code}` : 'network error',
    request: label,
    cause: error,
  });
}
