/**
 * One thing wrong with the topology or an app's values: where it is (file, object, field),
 * what is wrong, and what to do about it.
 */
export interface Problem {
  readonly file: string;
  readonly object: string;
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.object}: field ${p.field}: ${p.message}\n    fix: ${p.fix}`;
}

/** Thrown before anything is written; carries every problem found, not only the first. */
export class TopologyError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `the topology is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was written:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'TopologyError';
  }
}

/** Collects problems so validation reports all of them at once. */
export class Problems {
  readonly list: Problem[] = [];

  add(p: Problem): void {
    this.list.push(p);
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new TopologyError(this.list);
  }
}
