// One error type for everything the Atlas client can throw, with a sentence a Slack user can act on.
// Messages are built only from status codes, Atlas error codes and Atlas's own `detail`: never from credentials.
import { ownEntry } from './own-entry.js';

export interface AtlasApiErrorInit {
  status?: number | undefined;
  errorCode: string;
  detail?: string | undefined;
  hint?: string | undefined;
  retryAfterMs?: number | undefined;
  transient?: boolean | undefined;
  /** e.g. 'GET /api/atlas/v2/groups/…/snapshots', for the message and logs. */
  request?: string | undefined;
  /** Atlas's `ApiError.parameters` (the names and ids the error is about). */
  parameters?: readonly string[] | undefined;
  cause?: unknown;
}

export class AtlasApiError extends Error {
  override readonly name = 'AtlasApiError';
  /** HTTP status, or undefined when no answer came (timeout, network). */
  readonly status: number | undefined;
  /** Atlas's `errorCode` (e.g. RESOURCE_NOT_FOUND) or one of ours (ATLAS_TIMEOUT, ATLAS_CREATE_OUTCOME_UNKNOWN, ...). */
  readonly errorCode: string;
  readonly detail: string | undefined;
  /** One sentence a Slack user can act on. */
  readonly hint: string;
  readonly retryAfterMs: number | undefined;
  /** True when trying again later may succeed. */
  readonly transient: boolean;
  readonly request: string | undefined;
  readonly parameters: readonly string[];

  constructor(init: AtlasApiErrorInit) {
    const hint = init.hint ?? hintFor(init.status, init.errorCode);
    const where = init.request ? ` (${init.request})` : '';
    const status = init.status !== undefined ? `${init.status} ` : '';
    super(`Atlas ${status}${init.errorCode}${where}: ${init.detail ?? hint}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.detail = init.detail;
    this.hint = hint;
    this.retryAfterMs = init.retryAfterMs;
    this.transient = init.transient ?? isTransientStatus(init.status, init.errorCode);
    this.request = init.request;
    this.parameters = init.parameters ?? [];
  }

  /** Same as errorCode: the project's stable error code convention. */
  get code(): string {
    return this.errorCode;
  }
}

export const WRONG_CLUSTER_TYPE_CODES: ReadonlySet<string> = new Set([
  'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API',
  'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API',
  'CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API',
  'CANNOT_USE_CLUSTER_IN_SERVERLESS_INSTANCE_API',
]);

/** Refusals that mean "not now": the caller waits and tries again instead of failing (e.g. a safety snapshot). */
export const WAIT_AND_RETRY_CODES: ReadonlySet<string> = new Set(['UNFINISHED_ON_DEMAND_SNAPSHOT']);

export function isTransientStatus(status: number | undefined, errorCode: string): boolean {
  if (WAIT_AND_RETRY_CODES.has(errorCode)) return true;
  // A TLS failure is not a passing fault, but an operator fixes it (a CA, the clock): nothing waiting is thrown away.
  if (errorCode === 'ATLAS_TLS_ERROR' || errorCode === 'ATLAS_UNREADABLE_RESPONSE') return true;
  if (status === undefined) return errorCode === 'ATLAS_TIMEOUT' || errorCode === 'ATLAS_NETWORK_ERROR' || errorCode === 'ATLAS_CREATE_OUTCOME_UNKNOWN';
  return status === 429 || status >= 500;
}

/** Point in time, safety snapshots and collection restores: codes specific enough to come before any status rule. */
const CAPABILITY_HINTS: Record<string, string> = {
  INVALID_PIT_RESTORE_TIME:
    "Atlas can't restore to that time: pick a time inside the cluster's point-in-time restore window (continuous cloud backup must be on).",
  // Spelled with a digit zero by Atlas.
  UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME:
    'Atlas has no snapshot taken before that time to restore from: pick a later time.',
  NO_CHECKPOINT_FOR_PIT_RESTORE:
    'Atlas found no checkpoint to restore this cluster to that time: pick another time, or restore a snapshot instead.',
  UNFINISHED_ON_DEMAND_SNAPSHOT:
    'Another on-demand snapshot of this cluster is still being taken: wait until it has finished, then take the next one.',
  ATLAS_NOT_SUPPORTED_FOR_TYPE:
    'Only dedicated clusters can do this (not Flex clusters or serverless instances): choose another way to restore.',
};

/** Codes that say on their own what to do: before any status rule. */
const CODE_HINTS: Record<string, string> = {
  IP_ADDRESS_NOT_ON_ACCESS_LIST:
    "Atlas refused the bot's IP address: add the bot's egress IP to the API key's (or service account's) access list.",
  ORG_REQUIRES_ACCESS_LIST:
    "Atlas refused the bot's IP address: add the bot's egress IP to the API key's (or service account's) access list.",
  ATLAS_CLUSTER_RESTORE_IN_PROGRESS:
    'A restore is already running on the target cluster: wait for it to finish, then try again.',
  CANNOT_CANCEL_AUTOMATED_RESTORE:
    'Atlas cannot cancel an automated or point-in-time restore (only download jobs): wait for this restore to finish instead.',
  ATLAS_RESTORE_NOT_CANCELLABLE:
    'Atlas only lets you cancel restore jobs of dedicated clusters: wait for this restore to finish instead.',
  ATLAS_CLUSTER_NOT_FOUND:
    'No Flex cluster, dedicated cluster or serverless instance has this name in this project: check the names in the policy file.',
  ATLAS_CREATE_OUTCOME_UNKNOWN:
    'Atlas did not confirm the restore job: check the restore jobs of the source cluster before submitting again.',
  ATLAS_TIMEOUT:
    'Atlas did not answer in time: try again in a minute, and check status.mongodb.com if it keeps happening.',
  ATLAS_NETWORK_ERROR:
    'The bot could not reach Atlas: check its network egress and DNS, then try again.',
  ATLAS_TLS_ERROR:
    "The bot does not trust the TLS certificate it got for Atlas: if an egress proxy inspects HTTPS, give the bot the proxy's CA in NODE_EXTRA_CA_CERTS; otherwise check ATLAS_BASE_URL and the machine's clock.",
  ATLAS_UNREADABLE_RESPONSE:
    'The answer did not come from Atlas in a form the bot can read (a web page, empty or cut short): a proxy or load balancer between the bot and Atlas may be in the way. The bot tries again; check the egress proxy if it keeps happening.',
  OAUTH_INVALID_CLIENT:
    "Atlas refused the service account's client credentials: check ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET (the secret may have been rotated or have expired, or the service account deleted).",
  ATLAS_UNEXPECTED_RESPONSE:
    'Atlas answered in a shape the bot does not understand: report this to the bot maintainers.',
};

/** The sentence shown to people. Ordered from the most specific signal to the least. */
export function hintFor(status: number | undefined, errorCode: string): string {
  const codeHint = ownEntry(CAPABILITY_HINTS, errorCode) ?? ownEntry(CODE_HINTS, errorCode);
  if (codeHint !== undefined) return codeHint;
  if (WRONG_CLUSTER_TYPE_CODES.has(errorCode)) {
    return 'The cluster type in the policy file does not match Atlas: fix its `type` (flex, dedicated or serverless) or remove it to let the bot detect it.';
  }
  if (errorCode.startsWith('RATE_LIMITED') || status === 429) {
    return 'Atlas is rate limiting the bot: wait a minute and try again.';
  }
  if (status === 401) {
    return 'Atlas rejected the bot credentials: check the API key or service account configured for the bot (it may be wrong, revoked or expired).';
  }
  if (status === 403) {
    return "The bot's API key lacks the role this needs in that project: give it Project Owner (or the backup roles) on the project.";
  }
  if (errorCode.endsWith('_NOT_FOUND') || status === 404) {
    return 'Atlas could not find that project, cluster, snapshot or restore job: check the ids and names.';
  }
  if (status !== undefined && status >= 500) {
    return 'Atlas had an internal error: try again in a few minutes, and check status.mongodb.com if it keeps happening.';
  }
  if (status === 409) {
    return 'Atlas refused because of a conflicting operation on the cluster: wait for it to finish, then try again.';
  }
  return 'Atlas refused the request: read the detail above and check the request.';
}

/**
 * An error answer that is neither an Atlas ApiError nor carries X-Error-Code (every Atlas error does): a proxy's or
 * load balancer's page. Only the statuses whose usual hint would send people to the wrong place get their own.
 */
export function foreignAnswerHint(status: number): string | undefined {
  if (status === 403 || status === 407) {
    return `Something between the bot and Atlas (a proxy or firewall, not Atlas) answered ${status} with a web page: allow the bot's egress to ATLAS_BASE_URL there.`;
  }
  if (status >= 500) {
    return `Atlas had an internal error, or a proxy or load balancer in front of it answered ${status} with a web page: the bot tries again; if it keeps happening check the egress proxy and status.mongodb.com.`;
  }
  if (FOREIGN_PASSING_STATUSES.has(status)) {
    return `Something between the bot and Atlas (a proxy or load balancer, not Atlas) answered ${status} with a web page: the bot tries again; check that the egress proxy passes ATLAS_BASE_URL through.`;
  }
  return undefined;
}

/**
 * Statuses that, from Atlas, mean "gone" or "refused for good" (a running restore's tracking would end, its target lock
 * released). From something else (no ApiError, no X-Error-Code) they say nothing about Atlas: a passing fault.
 */
const FOREIGN_PASSING_STATUSES: ReadonlySet<number> = new Set([400, 404, 410]);

export interface ResponseErrorExtras {
  retryAfterMs?: number | undefined;
  /** The `X-Error-Code` header: Atlas sends the code there too, and it is all there is when the body has none. */
  headerErrorCode?: string | null | undefined;
}

/** Builds the error for a non-2xx answer, from Atlas's ApiError body when it has one. */
export function errorFromResponse(status: number, body: unknown, request: string, extras: ResponseErrorExtras = {}): AtlasApiError {
  const apiError = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const header = extras.headerErrorCode?.trim();
  // A 401 body often has no errorCode (e.g. history/99b380e…/TestSetup/Run/GET_…_cluster-860_3): the status decides the hint.
  const errorCode = nonEmpty(apiError.errorCode) ?? nonEmpty(header) ?? `HTTP_${status}`;
  const detail = typeof apiError.detail === 'string' ? apiError.detail : typeof apiError.reason === 'string' ? apiError.reason : undefined;
  // The spec says objects; Atlas sends strings (["cluster-209"]) or null. Keep them as text either way.
  const parameters = Array.isArray(apiError.parameters)
    ? apiError.parameters.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)))
    : undefined;
  const notFromAtlas = (typeof body !== 'object' || body === null) && !header;
  const foreign = notFromAtlas ? foreignAnswerHint(status) : undefined;
  const transient = notFromAtlas && FOREIGN_PASSING_STATUSES.has(status) ? true : undefined;
  return new AtlasApiError({ status, errorCode, detail, hint: foreign, retryAfterMs: extras.retryAfterMs, transient, request, parameters });
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function isAtlasApiError(error: unknown): error is AtlasApiError {
  return error instanceof AtlasApiError;
}

/** Status and code as people can quote them to Atlas support, e.g. `429 RATE_LIMITED`: never a path or an id. */
export function statusAndCode(err: AtlasApiError): string {
  return `${err.status !== undefined ? `${err.status} ` : ''}${err.errorCode}`;
}
