export * from './client.ts';
export * from './cluster.ts';
export * from './pki.ts';
export * from './admission.ts';
export * from './operated.ts';
