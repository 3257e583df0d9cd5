// Errors of the Redis store. Codes are stable: callers branch on them, logs and metrics group by them.

export type StoreErrorCode =
  | 'STORE_DUPLICATE' // create() with an id that already exists
  | 'STORE_INVALID_REQUEST' // create() with a request that is not storable
  | 'STORE_INVALID_ARGUMENT' // bad states, patch, ttl, limit, audit event...
  | 'STORE_CORRUPT' // a stored value that does not parse
  | 'STORE_CONTENDED' // the stored atlasJobId changed under every run of a compare-and-set
  | 'STORE_CONFIG'; // options the store cannot work with

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
