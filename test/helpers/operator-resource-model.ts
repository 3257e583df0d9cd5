// What the models of the Prometheus Operator's resources (ServiceMonitor, PrometheusRule) share: the CRD's string map
// and duration types, the resource's envelope (apiVersion, kind, metadata, spec; nothing else), and a class shaped like
// kubernetes-models' (new Model(data).validate() throws, naming each bad field).
import { Ajv } from 'ajv';

export const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
export const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' } as const;

/** The schema of a `monitoring.coreos.com/v1` resource of `kind` whose spec is `spec`. */
export function operatorResourceSchema(kind: string, spec: object): object {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { const: 'monitoring.coreos.com/v1' },
      kind: { const: kind },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' }, labels: stringMap, annotations: stringMap },
      },
      spec,
    },
  };
}

/** A model class validating against `schema`. */
export function operatorResourceModel(schema: object): new (data: unknown) => { validate(): void } {
  const validateResource = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return class {
    constructor(private readonly data: unknown) {}

    validate(): void {
      if (!validateResource(this.data)) {
        const errors = (validateResource.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
        throw new Error(errors.join('; '));
      }
    }
  };
}
