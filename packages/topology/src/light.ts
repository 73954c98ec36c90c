/**
 * What a command needs before it knows what it will do (its usage text, where the repository
 * is): the pinned versions and the repository root, without the model and its schemas.
 */
export { versions, type Versions } from './facts/versions.ts';
export { repoRoot } from './source.ts';
