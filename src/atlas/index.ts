// The Atlas module's public surface.
export { createAtlasClient, type AtlasClientOptions, type AtlasClientStats, type InstrumentedAtlasClient, type AtlasAuth } from './client.js';
export { AtlasApiError, isAtlasApiError, hintFor } from './errors.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export * from './types.js';
