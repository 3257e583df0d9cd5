// Validates request and response bodies against the official Atlas OpenAPI subset, so tests check our
// client and our fake against what MongoDB publishes rather than against our own guesses.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const SPEC_RELATIVE = 'shared/contracts/atlas-openapi-subset.json';
const SPEC_ID = 'atlas-openapi-subset.json';
/** v1.0 serverless endpoints have the same shapes as the v2 2023-01-01 ones (see shared/contracts/README.md). */
const V1_MEDIA_TYPE = 'application/json';
const V1_EQUIVALENT_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';

interface OpenApiMedia { schema?: Record<string, unknown> }
interface OpenApiResponse { $ref?: string; content?: Record<string, OpenApiMedia> }
interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, OpenApiMedia> };
  responses?: Record<string, OpenApiResponse>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, OpenApiResponse> };
}

function locateSpec(): string {
  const candidates = [
    // The vendored copy (byte-for-byte the shared one; its `x-source` names repository and commit) comes first,
    // so a clone of the project alone runs the contract tests.
    fileURLToPath(new URL(`../contracts/${SPEC_ID}`, import.meta.url)),
    fileURLToPath(new URL(`../../../${SPEC_RELATIVE}`, import.meta.url)),
    resolve(process.cwd(), '..', SPEC_RELATIVE),
    resolve(process.cwd(), SPEC_RELATIVE),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `OPENAPI_CONTRACT_MISSING: cannot find the Atlas OpenAPI subset; looked in:\n  ${candidates.join('\n  ')}\n` +
        'Clone the shared/ directory beside the repository (../shared/contracts/atlas-openapi-subset.json).',
    );
  }
  return found;
}

interface Contract { doc: OpenApiDoc; ajv: Ajv; routes: { method: string; template: string; regex: RegExp }[] }
let contract: Contract | undefined;

function loadContract(): Contract {
  if (contract) return contract;
  const doc = JSON.parse(readFileSync(locateSpec(), 'utf8')) as OpenApiDoc;
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
  contract = { doc, ajv, routes };
  return contract;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(pointer: string): ValidateFunction {
  let v = validators.get(pointer);
  if (!v) {
    v = loadContract().ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    validators.set(pointer, v);
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
  const validate = validatorFor(pointer);
  return validate(body) ? [] : formatErrors(validate.errors);
}

/** Validates a response body for a concrete path and status. Returns a list of problems; empty means valid. */
export function validateResponseBody(method: string, path: string, status: number, mediaType: string, body: unknown): string[] {
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
  const validate = validatorFor(`${pointer}/content/${escapePointer(mt)}/schema`);
  return validate(body) ? [] : formatErrors(validate.errors);
}

/** Validates a value against `components/schemas/<schemaName>`. */
export function validateSchema(schemaName: string, value: unknown): string[] {
  if (!(schemaName in loadContract().doc.components.schemas)) {
    return [`no schema ${schemaName} in components/schemas of the Atlas OpenAPI subset`];
  }
  const validate = validatorFor(`/components/schemas/${escapePointer(schemaName)}`);
  return validate(value) ? [] : formatErrors(validate.errors);
}
