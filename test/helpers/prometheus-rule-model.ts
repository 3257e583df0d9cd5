// A model for the Prometheus Operator's PrometheusRule (monitoring.coreos.com/v1), shaped like kubernetes-models'
// classes (new Model(data).validate() throws), for manifests.test.ts. The schema is the subset of the CRD's that
// components/prometheus uses, with the CRD's types and duration pattern, and refuses any other field: a misspelt
// `annotation` or `fro` would otherwise be pruned by the API server and the alert would fire at once, or say nothing.
import { duration, operatorResourceModel, operatorResourceSchema, stringMap } from './operator-resource-model.js';

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

const spec = {
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
} as const;

export const PrometheusRule = operatorResourceModel(operatorResourceSchema('PrometheusRule', spec));
