export * from './finding.ts';
export * from './kubeconform.ts';
export * from './parse.ts';
export * from './report.ts';
export * from './run.ts';
export * from './schema.ts';
export * from './cross.ts';
export * from './policy.ts';
