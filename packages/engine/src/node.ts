// Node-only entry point: SQLite stores, the runner and model providers.
export * from './index';
export * from './runner/engine';
export { openStoryloom } from './runner/storyloom';
export * from './models/caller';
