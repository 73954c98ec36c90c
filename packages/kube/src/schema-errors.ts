/**
 * The schema errors of a kubernetes-models object, apart from emit.ts so that a reader of
 * manifests (the validator) does not load cdk8s with them.
 */
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
