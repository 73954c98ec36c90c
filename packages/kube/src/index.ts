export * from './builtins.ts';
export * from './emit.ts';
export * from './json.ts';
export * from './namespace.ts';
export * from './pods.ts';
export { k8s } from 'cdk8s-plus-33';
