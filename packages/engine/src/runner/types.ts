// Runs, events and requests as the runner speaks them. They are the shared contract (./contract), re-exported
// here so code written against the runner's own module keeps compiling.
export * from '../contract/run-view';
export * from '../contract/events';
export { foldRunEvent, foldRunEvents, newRunView } from '../contract/fold';
