export type Severity = 'error' | 'warning';

/** A rule of a stage's catalogue: how bad a finding of it is, and what to do. */
export interface Rule {
  readonly severity: Severity;
  readonly fix: string;
}

/** The object a finding is about, as far as it could be read. */
export interface ObjectRef {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** One thing wrong, where it is, and what to do about it. */
export interface Finding {
  /** 'stage/rule', for example 'parse/duplicate-key'. */
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  /** 1-based line of the object (or of the error, for parse findings). */
  readonly line: number;
  readonly object: ObjectRef | undefined;
  /** Dotted path of the field, '' for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export function describeObject(o: ObjectRef | undefined): string {
  if (!o || (!o.kind && !o.name)) return '';
  return `${o.kind ?? '(no kind)'} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '(no name)'}`;
}
