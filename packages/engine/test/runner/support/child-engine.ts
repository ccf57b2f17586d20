// A separate process for multi-process tests. Usage:
//   node -r register-ts.js child-engine.ts <dbPath|postgres://…> drive <runId>   drives the run, prints the final status
//   node -r register-ts.js child-engine.ts <dbPath> decide <runId> <nodeId> <decision JSON>
// Environment comes from process.env (OPENAI_BASE_URL etc.). Prints one JSON line per milestone on stdout.
import { openStoryloom } from '../../../src/runner/storyloom';

async function main(): Promise<void> {
  const [dbPath, command, runId, nodeId, decision] = process.argv.slice(2);
  const database = dbPath.startsWith('postgres') ? { databaseUrl: dbPath } : { dbPath };
  const leaseTtlMs = process.env.STORYLOOM_LEASE_TTL_MS ? Number(process.env.STORYLOOM_LEASE_TTL_MS) : undefined;
  const engine = await openStoryloom({ ...database, env: process.env as Record<string, string>, maxRetries: 0, leaseTtlMs });
  if (command === 'drive') {
    engine.subscribe(runId, (event) => process.stdout.write(`${JSON.stringify({ event: event.type, nodeId: event.nodeId, seq: event.seq })}\n`));
    const view = await engine.drive(runId);
    process.stdout.write(`${JSON.stringify({ done: view.status })}\n`);
  } else if (command === 'decide') {
    try {
      const view = await engine.decide(runId, nodeId, JSON.parse(decision));
      process.stdout.write(`${JSON.stringify({ decided: true, status: view.status })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ decided: false, code: (error as { code?: string }).code })}\n`);
    }
  }
  await engine.close();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
