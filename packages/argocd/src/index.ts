export * from './application.ts';
export * from './project.ts';
export * from './sync.ts';
