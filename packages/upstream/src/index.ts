export * from './go.ts';
export * from './kubeconform.ts';
export * from './promtool.ts';
export * from './schemas.ts';
export * from './sources.ts';
export * from './flags.ts';
