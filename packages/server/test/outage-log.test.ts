// The background loops' log during a database outage: the first failed pass of an outage is said, the passes
// after it are not until one succeeds; errors that are not about reaching the database are said every time.
import { DatabaseUnreachableError } from '@storyloom/engine/node';
import { OutageLog } from '../src/outage-log';

/** What node-postgres rejects with when the server refuses connections (a restart). */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('OutageLog', () => {
  it('says each outage once, on its first failed pass, and again after the database has answered', () => {
    const said: string[] = [];
    const outages = new OutageLog((message, error) => said.push(`${message}: ${(error as Error).message}`));

    for (let pass = 0; pass < 5; pass += 1) outages.failed('sending webhooks', refused());
    outages.failed('sending webhooks', new DatabaseUnreachableError('still down after 10 s', refused()));
    expect(said).toEqual(['sending webhooks (the database is unreachable; not said again until it answers): connect ECONNREFUSED 127.0.0.1:5432']);

    outages.succeeded();
    outages.failed('sending webhooks', refused());
    outages.failed('sending webhooks', refused());
    expect(said).toHaveLength(2);
  });

  it('says every other error each time, during an outage too', () => {
    const said: string[] = [];
    const outages = new OutageLog((message, error) => said.push(`${message}: ${(error as Error).message}`));
    outages.failed('looking for orphaned runs', refused());
    outages.failed('looking for orphaned runs', new Error('SQLITE_CORRUPT: database disk image is malformed'));
    outages.failed('looking for orphaned runs', new Error('SQLITE_CORRUPT: database disk image is malformed'));
    outages.failed('looking for orphaned runs', refused());
    expect(said).toEqual([
      'looking for orphaned runs (the database is unreachable; not said again until it answers): connect ECONNREFUSED 127.0.0.1:5432',
      'looking for orphaned runs: SQLITE_CORRUPT: database disk image is malformed',
      'looking for orphaned runs: SQLITE_CORRUPT: database disk image is malformed',
    ]);
  });
});
