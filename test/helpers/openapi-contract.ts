// Validates request and response bodies against the official Atlas OpenAPI subset, so tests check our
// client and our fake against what MongoDB publishes rather than against our own guesses.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** Vendored byte for byte (see test/contracts/README.md). */
const SPEC_URL = new URL('../contracts/atlas-openapi-subset.json', import.meta.url);
const SPEC_ID = 'atlas-openapi-subset.json';
/** v1.0 serverless endpoints have the same shapes as the v2 2023-01-01 ones (Atlas's v1.0 docs; see test/contracts/README.md). */
const V1_MEDIA_TYPE = 'application/json';
const V1_EQUIVALENT_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';

interface OpenApiMedia { schema?: Record<string, unknown> }
interface OpenApiResponse { $ref?: string; content?: Record<string, OpenApiMedia>; headers?: Record<string, unknown> }
interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, OpenApiMedia> };
  responses?: Record<string, OpenApiResponse>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, OpenApiResponse> };
}

/**
 * Where Atlas really answers otherwise than the spec says, a validation may replace one sub-schema of
 * `components/schemas/<schema>` (at JSON pointer `pointer`) by `with`. The only patches used are listed, with
 * their evidence, in test/fakes/fake-atlas-reality.ts.
 */
export interface SpecPatch { schema: string; pointer: string; with: unknown }

interface Contract { doc: OpenApiDoc; ajv: Ajv; routes: { method: string; template: string; regex: RegExp }[]; validators: Map<string, ValidateFunction> }
const contracts = new Map<string, Contract>();

function applyPatch(doc: OpenApiDoc, patch: SpecPatch): void {
  const keys = patch.pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop();
  let node = doc.components.schemas[patch.schema] as Record<string, unknown> | undefined;
  for (const key of keys) node = node?.[key] as Record<string, unknown> | undefined;
  if (!node || last === undefined || !(last in node)) throw new Error(`SPEC_PATCH_MISSES: ${patch.schema}${patch.pointer} is not in the Atlas OpenAPI subset`);
  node[last] = patch.with;
}

function loadContract(patches: readonly SpecPatch[] = []): Contract {
  const cacheKey = JSON.stringify(patches);
  const cached = contracts.get(cacheKey);
  if (cached) return cached;
  const doc = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as OpenApiDoc;
  for (const patch of patches) applyPatch(doc, patch);
  // strict:false lets OpenAPI-only keywords (example, externalDocs, x-*, discriminator) pass through;
  // `nullable` is understood by Ajv natively. The spec's discriminator mapping names a schema that the
  // subset does not contain (DiskBackupShardedClusterSnapshot), so discriminator support stays off.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addSchema(doc as unknown as object, SPEC_ID);
  const routes = Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.keys(ops)
      .filter((m) => m !== 'parameters')
      .map((method) => ({
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      })),
  );
  const contract: Contract = { doc, ajv, routes, validators: new Map() };
  contracts.set(cacheKey, contract);
  return contract;
}

function validatorFor(pointer: string, patches: readonly SpecPatch[]): ValidateFunction {
  const contract = loadContract(patches);
  let v = contract.validators.get(pointer);
  if (!v) {
    v = contract.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    contract.validators.set(pointer, v);
  }
  return v;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function normaliseMediaType(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

/** Strips origin and query, and maps a v1.0 serverless path onto its v2 twin. */
function normalisePath(path: string): { path: string; v1: boolean } {
  let p = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0]!;
  const v1 = p.startsWith('/api/atlas/v1.0/');
  if (v1) p = p.replace('/api/atlas/v1.0/', '/api/atlas/v2/');
  return { path: p, v1 };
}

interface Located { template: string; method: string; op: OpenApiOperation; v1: boolean }
function locate(method: string, path: string): Located | string {
  const { doc, routes } = loadContract();
  const norm = normalisePath(path);
  const m = method.toUpperCase();
  if (norm.v1 && !/\/serverless\//.test(norm.path)) {
    return `no v1.0 mapping for ${m} ${path}: only serverless paths are mapped onto v2`;
  }
  const route = routes.find((r) => r.method === m && r.regex.test(norm.path));
  if (!route) return `no operation ${m} ${path} in the Atlas OpenAPI subset`;
  const op = doc.paths[route.template]![route.method.toLowerCase()]!;
  return { template: route.template, method: route.method, op, v1: norm.v1 };
}

function pickMedia(content: Record<string, OpenApiMedia>, mediaType: string, v1: boolean): string | undefined {
  const mt = normaliseMediaType(mediaType);
  if (mt in content) return mt;
  if (v1 && mt === V1_MEDIA_TYPE && V1_EQUIVALENT_MEDIA_TYPE in content) return V1_EQUIVALENT_MEDIA_TYPE;
  return undefined;
}

/** Validates a request body for a concrete path. Returns a list of problems; empty means valid. */
export function validateRequestBody(method: string, path: string, mediaType: string, body: unknown): string[] {
  const loc = locate(method, path);
  if (typeof loc === 'string') return [loc];
  const content = loc.op.requestBody?.content;
  if (!content) return body === undefined ? [] : [`${loc.method} ${loc.template} takes no request body`];
  const mt = pickMedia(content, mediaType, loc.v1);
  if (!mt) return [`media type ${mediaType} not accepted by ${loc.method} ${loc.template}; expected one of ${Object.keys(content).join(', ')}`];
  if (!content[mt]!.schema) return [];
  const pointer = `/paths/${escapePointer(loc.template)}/${loc.method.toLowerCase()}/requestBody/content/${escapePointer(mt)}/schema`;
  const validate = validatorFor(pointer, []);
  return validate(body) ? [] : formatErrors(validate.errors);
}

/**
 * Validates a response body for a concrete path and status. Returns a list of problems; empty means valid.
 * `patches`: the documented places where Atlas's answers are right and the spec wrong (default: none).
 */
export function validateResponseBody(method: string, path: string, status: number, mediaType: string, body: unknown, patches: readonly SpecPatch[] = []): string[] {
  const loc = locate(method, path);
  if (typeof loc === 'string') return [loc];
  const responses = loc.op.responses ?? {};
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
  if (!key) return [`status ${status} is not documented for ${loc.method} ${loc.template}`];
  let pointer = `/paths/${escapePointer(loc.template)}/${loc.method.toLowerCase()}/responses/${key}`;
  let response = responses[key]!;
  if (response.$ref) {
    const name = response.$ref.replace('#/components/responses/', '');
    response = loadContract().doc.components.responses?.[name] ?? {};
    pointer = `/components/responses/${escapePointer(name)}`;
  }
  const content = response.content;
  if (!content) return body === undefined || body === '' ? [] : [`status ${status} of ${loc.method} ${loc.template} has no body`];
  const empty = body === undefined || body === '';
  // e.g. 204 documents a media type without a schema: an empty answer carries no Content-Type at all.
  if (empty && Object.values(content).every((c) => !c.schema)) return [];
  const mt = pickMedia(content, mediaType, loc.v1);
  if (!mt) return [`media type ${mediaType} not documented for ${status} of ${loc.method} ${loc.template}; expected one of ${Object.keys(content).join(', ')}`];
  if (!content[mt]!.schema) {
    return empty ? [] : [`status ${status} of ${loc.method} ${loc.template} has no body schema but got a body`];
  }
  const validate = validatorFor(`${pointer}/content/${escapePointer(mt)}/schema`, patches);
  return validate(body) ? [] : formatErrors(validate.errors);
}

/** Validates a value against `components/schemas/<schemaName>` (with `patches`, as for validateResponseBody). */
export function validateSchema(schemaName: string, value: unknown, patches: readonly SpecPatch[] = []): string[] {
  if (!(schemaName in loadContract().doc.components.schemas)) {
    return [`no schema ${schemaName} in components/schemas of the Atlas OpenAPI subset`];
  }
  const validate = validatorFor(`/components/schemas/${escapePointer(schemaName)}`, patches);
  return validate(value) ? [] : formatErrors(validate.errors);
}

/** Names of the headers the spec documents for this answer (e.g. RateLimit-Limit on a 200); none for v1.0 paths. */
export function documentedResponseHeaders(method: string, path: string, status: number): string[] {
  const loc = locate(method, path);
  if (typeof loc === 'string' || loc.v1) return [];
  return Object.keys(loc.op.responses?.[String(status)]?.headers ?? {});
}
