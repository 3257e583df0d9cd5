// A model for the Prometheus Operator's ServiceMonitor (monitoring.coreos.com/v1), shaped like kubernetes-models'
// classes (new Model(data).validate() throws), for manifests.test.ts. kubernetes-models has no CRDs; this schema
// is the subset of the CRD's that components/prometheus uses, with the CRD's types, and refuses any other field so a
// misspelt one (`matchLabel`, `targetport`) fails instead of being ignored by the API server's pruning.
import { Ajv } from 'ajv';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' };

const schema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' }, labels: stringMap, annotations: stringMap },
    },
    spec: {
      type: 'object',
      required: ['selector', 'endpoints'],
      additionalProperties: false,
      properties: {
        jobLabel: { type: 'string' },
        targetLabels: { type: 'array', items: { type: 'string' } },
        podTargetLabels: { type: 'array', items: { type: 'string' } },
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
        },
        selector: {
          type: 'object',
          additionalProperties: false,
          properties: { matchLabels: stringMap, matchExpressions: { type: 'array' } },
        },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              port: { type: 'string', minLength: 1 },
              targetPort: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
              path: { type: 'string', pattern: '^/' },
              scheme: { enum: ['http', 'https', 'HTTP', 'HTTPS'] },
              interval: duration,
              scrapeTimeout: duration,
              honorLabels: { type: 'boolean' },
              relabelings: { type: 'array' },
              metricRelabelings: { type: 'array' },
            },
          },
        },
      },
    },
  },
} as const;

const validateServiceMonitor = new Ajv({ allErrors: true, strict: false }).compile(schema);

export class ServiceMonitor {
  constructor(private readonly data: unknown) {}

  validate(): void {
    if (!validateServiceMonitor(this.data)) {
      const errors = (validateServiceMonitor.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      throw new Error(errors.join('; '));
    }
  }
}
