export * from './inventory.ts';
export * from './layout.ts';
export * from './markdown.ts';
export * from './diff.ts';
