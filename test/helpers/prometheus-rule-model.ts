// A model for the Prometheus Operator's PrometheusRule (monitoring.coreos.com/v1), shaped like kubernetes-models'
// classes (new Model(data).validate() throws), for manifests.test.ts. The schema is the subset of the CRD's that
// components/prometheus uses, with the CRD's types and duration pattern, and refuses any other field: a misspelt
// `annotation` or `fro` would otherwise be pruned by the API server and the alert would fire at once, or say nothing.
import { Ajv } from 'ajv';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' };

const rule = {
  type: 'object',
  required: ['expr'],
  additionalProperties: false,
  // A rule is an alert or a recording rule, never both.
  oneOf: [
    { required: ['alert'], not: { required: ['record'] } },
    { required: ['record'], not: { anyOf: [{ required: ['alert'] }, { required: ['for'] }, { required: ['annotations'] }] } },
  ],
  properties: {
    alert: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
    record: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
    expr: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] },
    for: duration,
    keep_firing_for: duration,
    labels: stringMap,
    annotations: stringMap,
  },
} as const;

const schema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' }, labels: stringMap, annotations: stringMap },
    },
    spec: {
      type: 'object',
      required: ['groups'],
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'rules'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: duration,
              query_offset: duration,
              limit: { type: 'integer' },
              rules: { type: 'array', items: rule },
            },
          },
        },
      },
    },
  },
} as const;

const validatePrometheusRule = new Ajv({ allErrors: true, strict: false }).compile(schema);

export class PrometheusRule {
  constructor(private readonly data: unknown) {}

  validate(): void {
    if (!validatePrometheusRule(this.data)) {
      const errors = (validatePrometheusRule.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      throw new Error(errors.join('; '));
    }
  }
}
