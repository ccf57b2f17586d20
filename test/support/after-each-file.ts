// Runs after every test file (jest setupFilesAfterEnv): kills the child processes a failed test left behind,
// so a failing suite ends instead of leaving jest waiting on them.
import { killStrayChildren } from './child-processes';

afterAll(async () => {
  await killStrayChildren();
});
