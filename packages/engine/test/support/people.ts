// A cast member with every field a cast node writes, for tests that only care about the name (and the role).
import type { Character } from '../../src/story/types';

export const person = (name: string, role = 'ally'): Character => ({
  name,
  role,
  description: 'd',
  want: 'w',
  flaw: 'f',
  voice: 'v',
  pronouns: 'they/them',
  age: '30',
  relationships: 'none',
  sampleLine: 'Hm.',
});
