// Node-only entry point: SQLite stores, the runner and model providers.
export * from './index';
export * from './runner/engine';
export * from './models/caller';
