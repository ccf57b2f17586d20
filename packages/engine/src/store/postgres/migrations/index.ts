// The numbered schema migrations, oldest first. A migration is never edited once released: add the next number.
import { sql as initial } from './0001-initial';
import { sql as leaseStarted } from './0002-lease-started';
import { sql as teams } from './0004-teams';
import { sql as webhooksComments } from './0005-webhooks-comments';
import { sql as nodeAttempts } from './0006-node-attempts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'lease-started', sql: leaseStarted },
  { version: 4, name: 'teams', sql: teams },
  { version: 5, name: 'webhooks-comments', sql: webhooksComments },
  { version: 6, name: 'node-attempts', sql: nodeAttempts },
];
