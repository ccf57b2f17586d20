// The numbered schema migrations, oldest first. A migration is never edited once released: add the next number.
import { sql as initial } from './0001-initial';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'initial', sql: initial }];
