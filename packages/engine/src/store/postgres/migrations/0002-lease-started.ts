// Migration 2: the lease holder's process start time, so a process that later gets the holder's pid on the
// same host is not taken for the holder (leases taken before it have none and are judged by pid and expiry).
export const sql = `
ALTER TABLE runs ADD COLUMN lease_started TEXT;
`;
