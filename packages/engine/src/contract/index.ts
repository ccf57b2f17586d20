// The contract every adapter shares, browser-safe (no Node built-ins): the pipeline format, runs as shown,
// stored pipelines and versions, export formats, the typed event log and the one fold over it, and their zod
// schemas. The server's schemas, the CLI and the editor's API client import these instead of restating them.
export * from './pipeline';
export * from './run-view';
export * from './events';
export * from './fold';
export * from './stored-pipeline';
export * from './export-formats';
export * from './actor';
export * from './permissions';
export * from './audit';
export * from './api';
export * from './schemas';
