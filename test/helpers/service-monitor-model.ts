// A model for the Prometheus Operator's ServiceMonitor (monitoring.coreos.com/v1), shaped like kubernetes-models'
// classes (new Model(data).validate() throws), for manifests.test.ts. kubernetes-models has no CRDs; this schema
// is the subset of the CRD's that components/prometheus uses, with the CRD's types, and refuses any other field so a
// misspelt one (`matchLabel`, `targetport`) fails instead of being ignored by the API server's pruning.
import { duration, operatorResourceModel, operatorResourceSchema, stringMap } from './operator-resource-model.js';

const spec = {
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
} as const;

export const ServiceMonitor = operatorResourceModel(operatorResourceSchema('ServiceMonitor', spec));
