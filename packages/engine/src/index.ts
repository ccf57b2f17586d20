// Browser-safe entry point: the pipeline format, validation, the node catalogue and document rendering.
// Nothing here may import Node built-ins or native modules: the editor bundles it.
export * from './pipeline/schema';
export * from './errors';
export * from './nodes/types';
export * from './runner/types';
