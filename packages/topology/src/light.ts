/**
 * What a command needs before it knows what it will do (its usage text, where the repository
 * is), and what reading manifests needs (the conventions): the pinned versions, the
 * repository root and the marks we put on objects, without the model and its schemas.
 */
export { versions, type Versions } from './facts/versions.ts';
export { repoRoot } from './source.ts';
export { conventions } from './conventions.ts';
