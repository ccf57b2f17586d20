// `storyloom serve`: serves the editor and the HTTP API until Ctrl-C or SIGTERM (a second signal stops at once). It
// listens on loopback unless `--host` says otherwise, because without API keys the API is open to whoever reaches it.
// Express and the HTTP layer are loaded only when this command runs.
import { DEFAULT_HOST } from '../../http/options';
import { DB_FLAG, engineNode, type CliContext } from '../context';
import { EXIT, invalid } from '../errors';
import { untilSignal } from '../signals';
import { stringFlag, type Command } from './command';

const DEFAULT_PORT = 3000;

export const serveCommand: Command = {
  spec: {
    name: 'serve',
    summary: 'Serve the editor and the HTTP API.',
    positionals: [],
    flags: [
      { name: 'port', kind: 'string', valueName: 'n', description: `port (default: $PORT or ${DEFAULT_PORT}; 0 picks a free one)` },
      {
        name: 'host',
        kind: 'string',
        valueName: 'address',
        description: `address to listen on (default: ${DEFAULT_HOST}, this machine only; 0.0.0.0 for all interfaces)`,
      },
      DB_FLAG,
    ],
    notes: [
      'Stops on Ctrl-C or SIGTERM. Runs whose driver died (a crashed server or CLI) are resumed by the server, at start',
      'and while it runs (checked every fifth of STORYLOOM_LEASE_TTL_MS, 15000 ms by default).',
      `Without STORYLOOM_API_KEYS the API needs no key, which is why it listens on ${DEFAULT_HOST} unless --host says otherwise;`,
      'set STORYLOOM_API_KEYS before exposing it with --host 0.0.0.0. Without keys it answers only requests addressed to',
      'localhost, the --host address or a name in STORYLOOM_ALLOWED_HOSTS (a guard against DNS rebinding).',
    ],
  },
  async run(ctx, args) {
    const port = parsePort(stringFlag(args, 'port') ?? ctx.io.env.PORT ?? String(DEFAULT_PORT));
    // Loaded here: Express and the HTTP layer are only needed by this command.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startServer } = require('../../server') as typeof import('../../server');
    // Listening for signals before the server starts: a SIGTERM during start-up must also stop it cleanly.
    const stopRequested = untilSignal();
    const server = await startServer({ port, host: stringFlag(args, 'host'), ...ctx.database, env: ctx.io.env });
    const url = new URL(server.url);
    ctx.out(`Storyloom on http://localhost:${url.port}`);
    ctx.out(`  database: ${ctx.databaseLabel}`);
    ctx.out(`  default model: ${defaultModel(ctx)}`);
    await stopRequested;
    ctx.err('Stopping…');
    await server.close();
    return EXIT.completed;
  },
};

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`--port must be a number from 0 to 65535, got '${text}'`);
  return port;
}

function defaultModel(ctx: CliContext): string {
  const { describeModel, resolveModelSpec } = engineNode();
  try {
    const description = describeModel(resolveModelSpec([], ctx.env), ctx.env);
    return description.startsWith('offline') ? `${description} (set STORYLOOM_MODEL for an LLM)` : description;
  } catch (error) {
    throw invalid((error as Error).message);
  }
}
