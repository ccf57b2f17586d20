// Word pools for the offline writers. Kept in one place so the writers stay short; every pick from
// these is made with a seeded PRNG, so the output is a deterministic function of the context.

export interface GenreProfile {
  genre: string;
  keywords: string[];
  tones: string[];
  goals: string[];
  stakes: string[];
  worlds: string[];
  places: Array<{ name: string; interior: boolean; description: string }>;
  /** Things that can go wrong or be found, used in beats and lines. */
  objects: string[];
}

export const GENRES: GenreProfile[] = [
  {
    genre: 'Mystery',
    keywords: ['murder', 'detective', 'missing', 'disappear', 'clue', 'secret', 'body', 'stolen', 'killer', 'investigat'],
    tones: ['brooding and precise', 'wry and suspenseful', 'cold and methodical'],
    goals: ['uncover who is lying', 'find the missing piece while the trail is warm', 'prove what really happened'],
    stakes: ['the wrong person pays for it', 'the truth is buried for good', 'the next victim is someone they love'],
    worlds: ['A rain-soaked coastal town where everyone owes someone a favour.', 'A quiet county where old families keep old secrets.'],
    places: [
      { name: 'Police Station', interior: true, description: 'Fluorescent light, stacked files, a kettle nobody cleans.' },
      { name: 'Harbour Wall', interior: false, description: 'Wet stone, gulls, boats knocking against their moorings.' },
      { name: 'Records Office', interior: true, description: 'Dusty ledgers and a clerk who remembers everything.' },
      { name: 'Old Chapel', interior: true, description: 'Cold pews, candle stubs, a door that never quite shuts.' },
    ],
    objects: ['a torn photograph', 'a ledger with a page cut out', 'a key that fits no door', 'an unsent letter'],
  },
  {
    genre: 'Science fiction',
    keywords: ['space', 'planet', 'robot', 'android', 'ship', 'station', 'alien', 'orbit', 'colony', 'ai ', 'machine', 'time travel', 'galaxy'],
    tones: ['eerie and hopeful', 'tense and cerebral', 'quiet and uncanny'],
    goals: ['get the crew home', 'understand what the signal wants', 'shut the system down'],
    stakes: ['the colony goes dark', 'the last archive of Earth is lost', 'nobody remembers they existed'],
    worlds: ['A patched-together orbital habitat running on borrowed air.', 'A frontier colony where the machines keep better records than people.'],
    places: [
      { name: 'Command Deck', interior: true, description: 'Banks of amber screens and a hum that never stops.' },
      { name: 'Hydroponics Bay', interior: true, description: 'Rows of pale lettuce under violet lamps.' },
      { name: 'Airlock Corridor', interior: true, description: 'Warning stripes, frost on the glass, a door that sighs.' },
      { name: 'Crater Ridge', interior: false, description: 'Grey dust to the horizon and a sky full of hard stars.' },
    ],
    objects: ['a corrupted log', 'a signal on a dead frequency', 'a sealed cryo pod', 'a map of a station that was never built'],
  },
  {
    genre: 'Horror',
    keywords: ['ghost', 'haunt', 'curse', 'demon', 'blood', 'dead', 'monster', 'nightmare', 'witch'],
    tones: ['slow-burning and dread-filled', 'claustrophobic and grim'],
    goals: ['break the curse', 'get everyone out before dawn', 'find out what lives in the house'],
    stakes: ['the house keeps them forever', 'the thing follows them home', 'they become part of the story the village tells'],
    worlds: ['A village at the end of a road that floods every night.', 'A farmhouse where the clocks all stopped at the same minute.'],
    places: [
      { name: 'Cellar', interior: true, description: 'Damp brick, jars of something dark, a single bulb.' },
      { name: 'Orchard', interior: false, description: 'Bare trees in crooked rows, fog at knee height.' },
      { name: 'Upstairs Landing', interior: true, description: 'A long runner, portraits turned to the wall.' },
      { name: 'Village Pub', interior: true, description: 'Low beams, a fire, regulars who stop talking.' },
    ],
    objects: ['a child’s drawing', 'a mirror covered with a sheet', 'a bell with no clapper', 'a diary in two hands'],
  },
  {
    genre: 'Romance',
    keywords: ['love', 'wedding', 'marry', 'heart', 'romance', 'date', 'ex-', 'kiss'],
    tones: ['warm and bittersweet', 'bright and quick-witted'],
    goals: ['say what they should have said years ago', 'choose between two lives', 'win back the person they let go'],
    stakes: ['they lose each other for good', 'they spend their lives wondering', 'the chance never comes again'],
    worlds: ['A seaside town in the last week of summer.', 'A crowded city where two people keep missing each other.'],
    places: [
      { name: 'Corner Bakery', interior: true, description: 'Flour in the air, a bell over the door.' },
      { name: 'Ferry Deck', interior: false, description: 'Wind, salt, a bench nobody sits on.' },
      { name: 'Rooftop Garden', interior: false, description: 'Fairy lights, tomato plants, the whole city below.' },
      { name: 'Train Station', interior: true, description: 'Departure boards clicking over, coffee in paper cups.' },
    ],
    objects: ['a returned ring', 'an old voicemail', 'a second ticket', 'a recipe in her handwriting'],
  },
  {
    genre: 'Drama',
    keywords: [],
    tones: ['tender and unsentimental', 'restrained and searching', 'wry and humane'],
    goals: ['hold the family together', 'finish what they started', 'face the thing they ran from'],
    stakes: ['they lose the one place they belong', 'the people who depend on them are left with nothing', 'they become who they swore never to be'],
    worlds: ['A small town between a motorway and the sea.', 'A city neighbourhood that is changing faster than the people in it.'],
    places: [
      { name: 'Kitchen', interior: true, description: 'A table with too many chairs, bills under a magnet.' },
      { name: 'Bus Shelter', interior: false, description: 'Cracked glass, a timetable nobody trusts.' },
      { name: 'Workshop', interior: true, description: 'Sawdust, radio static, tools hung in outlines.' },
      { name: 'Hospital Corridor', interior: true, description: 'Squeaking shoes, a vending machine that hums.' },
    ],
    objects: ['an unopened letter', 'a set of keys', 'a photograph in a drawer', 'a debt nobody mentions'],
  },
];

/** First names, chosen to be pairwise far apart (edit distance > 2) and unlike common English words. */
export const FIRST_NAMES = [
  'Mara', 'Tobias', 'Ines', 'Okonkwo', 'Priya', 'Lachlan', 'Yusuf', 'Greta', 'Dmitri', 'Solveig', 'Eliska', 'Hollis',
  'Renata', 'Kofi', 'Beatrix', 'Anselm', 'Noor', 'Casimir', 'Delphine', 'Wendell', 'Ottilie', 'Ravi', 'Fenella',
  'Ignatius', 'Marguerite', 'Jasper', 'Xiomara', 'Bartholomew', 'Wilhelmina', 'Cormac',
];

/** The pronouns each first name conventionally goes with, so a premise's "her" gets a name that fits. */
export const NAME_PRONOUNS: Readonly<Record<string, 'she/her' | 'he/him' | 'they/them'>> = {
  Mara: 'she/her', Tobias: 'he/him', Ines: 'she/her', Okonkwo: 'he/him', Priya: 'she/her', Lachlan: 'he/him',
  Yusuf: 'he/him', Greta: 'she/her', Dmitri: 'he/him', Solveig: 'she/her', Eliska: 'she/her', Hollis: 'they/them',
  Renata: 'she/her', Kofi: 'he/him', Beatrix: 'she/her', Anselm: 'he/him', Noor: 'she/her', Casimir: 'he/him',
  Delphine: 'she/her', Wendell: 'he/him', Ottilie: 'she/her', Ravi: 'he/him', Fenella: 'she/her', Ignatius: 'he/him',
  Marguerite: 'she/her', Jasper: 'he/him', Xiomara: 'she/her', Bartholomew: 'he/him', Wilhelmina: 'she/her', Cormac: 'he/him',
};

export const SURNAMES = ['Quill', 'Adebayo', 'Varga', 'Holloway', 'Lindqvist', 'Okafor', 'Marsh', 'Castellano', 'Thorne', 'Nakamura', 'Pryce', 'Duval'];

export interface RoleProfile {
  role: string;
  ages: string[];
  /** How this role stands to the protagonist; {hero} is the protagonist's name. */
  ties: string[];
  /** Lines in this role's register, for the character sheet's sample line. */
  lines: string[];
  wants: string[];
  flaws: string[];
  voices: string[];
  descriptions: string[];
}

export const ROLES: RoleProfile[] = [
  {
    role: 'protagonist',
    ages: ['early thirties', 'late forties', 'mid-twenties', 'sixty-one'],
    ties: ['at the centre of everyone else’s trouble'],
    lines: ['I’ll ask once more, and then I stop being polite.', 'Everyone keeps saying it is fine. Nothing here is fine.', 'I know what I saw. I just don’t know what it means yet.'],
    wants: ['to prove they were right all along', 'to make up for one unforgivable mistake', 'a life nobody else gets to plan'],
    flaws: ['trusts no one, least of all themselves', 'cannot leave a question alone', 'mistakes stubbornness for courage'],
    voices: ['dry, clipped, answers questions with questions', 'quiet until cornered, then blunt', 'quick jokes that cover real fear'],
    descriptions: [],
  },
  {
    role: 'antagonist',
    ages: ['late fifties', 'mid-forties', 'fifty-three'],
    ties: ['{hero}’s opponent; the two go back years', 'once {hero}’s employer, now the one {hero} must get past', 'owes {hero} the truth and will not pay it'],
    lines: ['I have always been very fond of you. Remember that.', 'Nobody is forcing anyone. I am only explaining how things are.', 'You will thank me, eventually.'],
    wants: ['to keep the past buried', 'control of what everyone else depends on', 'to be thanked for what was taken'],
    flaws: ['believes the ends excuse anything', 'cannot bear to be pitied', 'vain about their own cleverness'],
    voices: ['courteous, precise, never raises their voice', 'warm on the surface, every kindness a hook', 'speaks in verdicts'],
    descriptions: ['a pillar of the community with the most to lose', 'an old ally who chose the other side', 'the one who wrote the rules everyone follows'],
  },
  {
    role: 'ally',
    ages: ['twenty-four', 'early thirties', 'late twenties'],
    ties: ['{hero}’s closest friend since school', 'works beside {hero} and covers for them', '{hero}’s younger cousin, loyal to a fault'],
    lines: ['Okay, so, hear me out, because this is either brilliant or terrible.', 'I did what you asked. I didn’t like it.', 'Fine. Yes. Tell me where.'],
    wants: ['to be taken seriously', 'to keep the protagonist out of trouble', 'a way out of a job they hate'],
    flaws: ['says yes to everything', 'keeps a secret that matters', 'too loyal to see the danger'],
    voices: ['chatty, tangents, surprisingly sharp', 'earnest and formal', 'gruff, two-word sentences'],
    descriptions: ['a young colleague who notices what others miss', 'a neighbour with a spare key to everything', 'an old friend who never left'],
  },
  {
    role: 'mentor',
    ages: ['seventy-two', 'late sixties', 'sixty-eight'],
    ties: ['taught {hero} everything, and kept one thing back', '{hero}’s grandmother, who raised them', '{hero}’s old teacher, retired and watchful'],
    lines: ['A net with a hole still catches fish. Just fewer.', 'Sit. The kettle is on, and so is the argument.', 'I was wrong once. I remember the date.'],
    wants: ['to see the work finished before they go', 'forgiveness they will not ask for', 'one last honest conversation'],
    flaws: ['withholds the truth to protect people', 'lives in the past', 'proud past the point of sense'],
    voices: ['slow, fond of proverbs, never wasteful', 'sardonic and tender at once', 'lectures, then apologises'],
    descriptions: ['a retired expert who taught the protagonist everything', 'a grandmother who knows more than she says', 'a former rival turned reluctant guide'],
  },
  {
    role: 'rival',
    ages: ['early thirties', 'thirty-eight', 'late twenties'],
    ties: ['{hero}’s sibling, who stayed when {hero} left', 'chasing the same answer as {hero}', '{hero}’s ex, who moved on too fast'],
    lines: ['Three times. That is how often you have done this to me.', 'You were always the clever one. Everyone said so.', 'Congratulations. Really. I mean it.'],
    wants: ['to win, just once', 'the credit the protagonist always gets', 'to be chosen'],
    flaws: ['jealous and knows it', 'reckless when ignored', 'cannot admit a debt'],
    voices: ['brisk, competitive, counts everything', 'charming and evasive', 'sarcastic to the bone'],
    descriptions: ['a sibling who stayed when the protagonist left', 'a colleague chasing the same answer', 'an ex who moved on too quickly'],
  },
  {
    role: 'confidant',
    ages: ['eleven', 'forty-five', 'late fifties'],
    ties: ['hears {hero}’s secrets and keeps most of them', '{hero}’s neighbour, with a spare key', 'the one {hero} calls at three in the morning'],
    lines: ['You don’t have to tell me. But you’re going to.', 'I heard it from the postman, who heard it from the vicar.', 'Oh. Oh, that is bad. Sit down.'],
    wants: ['to be told the truth for once', 'a quiet life', 'to repay an old kindness'],
    flaws: ['avoids every conflict', 'gossips when nervous', 'believes the best of everyone'],
    voices: ['soft, hesitant, then suddenly certain', 'plain-spoken, farm-country idioms', 'bright and fast, finishes others’ sentences'],
    descriptions: ['a bartender who hears everything twice', 'a night-shift nurse with an open door', 'a child who sees straight through adults'],
  },
];

export const TIMES_OF_DAY = ['DAY', 'NIGHT', 'MORNING', 'EVENING', 'CONTINUOUS'];

/** Story-structure positions, spread over however many beats the outline has. */
export const BEAT_SHAPES = [
  'setup',
  'inciting incident',
  'first decision',
  'complication',
  'midpoint reversal',
  'tightening',
  'crisis',
  'climax',
  'resolution',
];

export const ACT_TITLES = [['The Story'], ['Setup', 'Resolution'], ['Setup', 'Confrontation', 'Resolution'], ['Setup', 'Rising Action', 'Reversal', 'Resolution'], ['Exposition', 'Rising Action', 'Climax', 'Falling Action', 'Resolution']];

export const PARENTHETICALS = ['quietly', 'beat', 'not looking up', 'too quickly', 'half a smile', 'under their breath', 'flat'];
