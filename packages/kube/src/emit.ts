import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** A kubernetes-models object: typed, and able to validate itself against its schema. */
export interface Model {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  validate(): void;
  toJSON(): unknown;
}

export interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
}

/**
 * Errors the generated @kubernetes-models schemas raise on objects the real CRDs accept. They
 * demand apiVersion and kind on embedded templates (a Prometheus volumeClaimTemplate), which
 * the CRD leaves optional and prometheus-operator never reads.
 */
export function isModelErratum(e: SchemaError): boolean {
  return /\/volumeClaimTemplate$/.test(e.instancePath ?? '') && /required property '?(apiVersion|kind)'?$/.test(e.message ?? '');
}

/** The schema errors of a model, less the errata; empty when it is valid. */
export function schemaErrors(model: { validate(): void }): SchemaError[] {
  try {
    model.validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors ?? [{ instancePath: '', message: (err as Error).message }];
    return errors.filter((e) => !isModelErratum(e));
  }
}

/**
 * Emits a custom resource typed with @kubernetes-models through cdk8s, after checking it
 * against its schema, so a bad value fails at synth with the object's name, not at apply.
 */
export function emitModel(scope: Construct, model: Model): ApiObject {
  const name = model.metadata?.name ?? '<no name>';
  const where = model.metadata?.namespace ? `${model.metadata.namespace}/${name}` : name;
  const errors = schemaErrors(model);
  if (errors.length > 0) {
    throw new Error(`${model.kind} ${where} does not match its schema: ${errors.map((e) => `${e.instancePath ? `data${e.instancePath}` : 'data'} ${e.message}`).join(', ')}`);
  }
  const { apiVersion, kind, metadata, ...rest } = model.toJSON() as {
    apiVersion: string;
    kind: string;
    metadata: Record<string, unknown>;
  };
  return new ApiObject(scope, `${kind}-${where}`, { apiVersion, kind, metadata, ...rest });
}
