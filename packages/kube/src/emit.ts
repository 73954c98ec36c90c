import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { schemaErrors } from './schema-errors.ts';

/** A kubernetes-models object: typed, and able to validate itself against its schema. */
export interface Model {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  validate(): void;
  toJSON(): unknown;
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
