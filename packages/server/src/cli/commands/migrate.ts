// `storyloom migrate --from <db> --to <db>`: moves a team's pipelines, versions and run history between the
// embedded SQLite file and PostgreSQL (either way) into an empty database.
import fs from 'node:fs';
import path from 'node:path';
import { describeDatabase, engineNode, isDatabaseUrl } from '../context';
import { EXIT, invalid } from '../errors';
import { stringFlag, type Command } from './command';

type Location = { dbPath: string } | { databaseUrl: string };

export const migrateCommand: Command = {
  spec: {
    name: 'migrate',
    summary: 'Copy pipelines, versions and run history to another database (SQLite file or postgres:// URL).',
    positionals: [],
    flags: [
      { name: 'from', kind: 'string', valueName: 'db', description: 'the database to copy: a SQLite file or a postgres:// URL' },
      { name: 'to', kind: 'string', valueName: 'db', description: 'an empty database to copy into: a SQLite file (created) or a postgres:// URL' },
    ],
    notes: [
      'Copies pipelines and every version, runs, events, outputs, approvals, recorded model calls and the checkpoints',
      'of runs that can still go on (waiting, failed, cancelled, interrupted), so they continue on the new database.',
      'The target must hold no pipelines and no runs. Rows are copied a batch at a time in one transaction: a copy',
      'that fails leaves the target as it was. Stop servers and workers on the source first: a run driven during',
      'the copy may be copied half way.',
      'Example: storyloom migrate --from ./data/storyloom.db --to postgres://storyloom@db.internal/storyloom',
    ],
  },
  async run(ctx, args) {
    const fromText = stringFlag(args, 'from');
    const toText = stringFlag(args, 'to');
    if (!fromText || !toText) throw invalid('migrate needs --from <db> and --to <db> (a SQLite file or a postgres:// URL each)');
    const from = locationOf(fromText, ctx.io.cwd);
    const to = locationOf(toText, ctx.io.cwd);
    if ('dbPath' in from && !fs.existsSync(from.dbPath)) throw invalid(`--from: no SQLite database at ${from.dbPath}`);
    if (describeDatabase(from) === describeDatabase(to)) throw invalid('--from and --to name the same database');
    let result;
    try {
      result = await engineNode().migrateDatabase(from, to);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'conflict') throw invalid(`--to: ${(error as Error).message}`);
      throw error;
    }
    const total = (table: string) => result.rows[table] ?? 0;
    ctx.out(`Copied ${describeDatabase(from)} → ${describeDatabase(to)}`);
    ctx.out(
      `  ${total('pipelines')} pipelines (${total('pipeline_versions')} versions), ${total('runs')} runs, ${total('run_events')} events, ` +
        `${total('node_outputs')} outputs, ${total('approvals')} approvals, ${result.checkpoints} checkpoints`,
    );
    return EXIT.completed;
  },
};

function locationOf(text: string, cwd: string): Location {
  return isDatabaseUrl(text) ? { databaseUrl: text } : { dbPath: path.resolve(cwd, text) };
}
