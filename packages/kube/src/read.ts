/**
 * What reading manifests needs (all the validator uses of this package), without cdk8s, the
 * models or the topology's schemas: a command that only reads loads none of them.
 */
export * from './builtins.ts';
export * from './cron.ts';
export * from './json.ts';
export * from './pods.ts';
export * from './schema-errors.ts';
export * from './tls-refs.ts';
export { conventions } from '@kubevirt-ci/topology/light';
