// Reading the 2xx answer of a POST that creates something (a restore job, a collection restore, a snapshot).
import { AtlasApiError } from './errors.js';

/**
 * The create answered 2xx, so the resource most likely exists: an answer we can't read (empty, a field missing, a
 * state we don't know) must not turn into "refused", or the caller would forget something Atlas is running.
 * Unknown outcome instead: the caller looks for it before creating again.
 */
export function readCreatedResource<T>(read: () => T, what: string, request: string): T {
  try {
    return read();
  } catch (error) {
    throw new AtlasApiError({
      errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN',
      detail: `Atlas accepted the ${what} but its answer could not be read (${error instanceof Error ? error.message : String(error)}); the ${what} most likely exists`,
      transient: true,
      request,
      cause: error,
    });
  }
}
