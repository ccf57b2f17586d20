// How a database that cannot be reached leaves the API: 503 `database_unreachable` with Retry-After, never a 500,
// and a write cut off mid-flight says it may have been applied (so a client looks before repeating it).
import { DatabaseUnreachableError } from '@storyloom/engine/node';
import { toHttpError } from '../../src/http/errors';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

test('an unreachable database is a 503 with Retry-After, whether the stores gave up or the error came straight from the driver', () => {
  for (const error of [new DatabaseUnreachableError('still no connection after 10 s of retrying', refused), refused]) {
    const answer = toHttpError(error);
    expect({ status: answer.status, code: answer.code, message: answer.message, headers: answer.headers }).toEqual({
      status: 503,
      code: 'database_unreachable',
      message: 'the database is unreachable (restarting or down); retry shortly',
      headers: { 'Retry-After': '5' },
    });
  }
});

test('a write cut off after it was sent says it may have been applied', () => {
  const answer = toHttpError(new DatabaseUnreachableError('the connection was lost while a write was in flight', refused, true));
  expect(answer.status).toBe(503);
  expect(answer.message).toBe('the database connection was lost while the change was being written: it may or may not have been applied; look before retrying');
});

test('any other failure stays a 500 that says nothing of its cause', () => {
  const answer = toHttpError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }));
  expect({ status: answer.status, code: answer.code, message: answer.message }).toEqual({ status: 500, code: 'internal_error', message: 'internal server error' });
});
