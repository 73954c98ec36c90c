export * from './disk.ts';
export * from './files.ts';
export * from './load.ts';
export * from './manifest.ts';
export * from './render.ts';
export * from './presets.ts';
