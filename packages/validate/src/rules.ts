/**
 * The rules that judge one object (or a cluster's objects among themselves) without reading
 * anything else: what synth runs on its output before writing, without loading the rest.
 */
export { checkObjects, objectRules, type ObjectOptions } from './objects.ts';
export { checkPolicy, policyRules } from './policy.ts';
export { describeObject, type Finding } from './finding.ts';
export type { ParsedObject } from './parse.ts';
