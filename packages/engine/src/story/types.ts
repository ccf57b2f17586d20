// The story bible: the value types of the memory slots the catalogue's node types write.
// These are plain schemas (no defaults, no optional fields) because they double as structured-output
// schemas for real models, whose strict JSON-schema mode requires every property.
import { z } from 'zod';
import { TextExportFormatSchema } from '../contract/schemas';

// List bounds: the node types' configs allow at most these many (characters.count, setting.locations,
// outline.acts and outline.scenes), so an output (a model's or a producer's edit) may not hold more.
export const MAX_CHARACTERS = 12;
export const MAX_LOCATIONS = 12;
export const MAX_ACTS = 5;
export const MAX_SCENES = 60;
/** The review's passes: the first reading plus one per revision (`maxRevisions` ≤ 5). */
export const MAX_REVIEW_PASSES = 6;

/** A list bound whose message says the limit and the size given ("at most 12 characters, got 1000"). */
function atMost(max: number, noun: string): { error: (issue: { input?: unknown }) => string } {
  return { error: (issue) => `at most ${max} ${noun}${Array.isArray(issue.input) ? `, got ${issue.input.length}` : ''}` };
}

export const LoglineSchema = z.strictObject({
  title: z.string().min(1),
  logline: z.string().min(1),
  genre: z.string().min(1),
  tone: z.string().min(1),
});
export type Logline = z.infer<typeof LoglineSchema>;

export const CharacterSchema = z.strictObject({
  name: z.string().min(1),
  role: z.string().min(1),
  description: z.string().min(1),
  want: z.string().min(1),
  flaw: z.string().min(1),
  voice: z.string().min(1),
  /** "she/her", "he/him", "they/them": what narration and other characters call them. */
  pronouns: z.string().min(1),
  /** As a casting note would put it: "62", "late thirties". */
  age: z.string().min(1),
  /** Their ties to the rest of the cast, by name: "Tobias's older sister; owes Greta money". */
  relationships: z.string().min(1),
  /** One line they might say, in their voice: the writers' tuning fork. */
  sampleLine: z.string().min(1),
});
export type Character = z.infer<typeof CharacterSchema>;

export const CastSchema = z.strictObject({ characters: z.array(CharacterSchema).min(1).max(MAX_CHARACTERS, atMost(MAX_CHARACTERS, 'characters')) });
export type Cast = z.infer<typeof CastSchema>;

export const LocationSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  interior: z.boolean(),
});
export type Location = z.infer<typeof LocationSchema>;

export const SettingSchema = z.strictObject({
  world: z.string().min(1),
  period: z.string().min(1),
  locations: z.array(LocationSchema).min(1).max(MAX_LOCATIONS, atMost(MAX_LOCATIONS, 'locations')),
});
export type Setting = z.infer<typeof SettingSchema>;

export const BeatSchema = z.strictObject({
  number: z.number().int().min(1),
  summary: z.string().min(1),
  /** Who the beat is about, by cast name. */
  characters: z.array(z.string().min(1)).max(MAX_CHARACTERS, atMost(MAX_CHARACTERS, 'characters')),
  /** Where it happens: one of the setting's locations (any place when there is no setting). */
  location: z.string().min(1),
});
export type Beat = z.infer<typeof BeatSchema>;

export const ActSchema = z.strictObject({
  title: z.string().min(1),
  beats: z.array(BeatSchema).max(MAX_SCENES, atMost(MAX_SCENES, 'beats')),
});
export type Act = z.infer<typeof ActSchema>;

export const OutlineSchema = z.strictObject({ acts: z.array(ActSchema).min(1).max(MAX_ACTS, atMost(MAX_ACTS, 'acts')) });
export type Outline = z.infer<typeof OutlineSchema>;

export const SceneCardSchema = z.strictObject({
  number: z.number().int().min(1),
  heading: z.string().min(1),
  location: z.string().min(1),
  characters: z.array(z.string().min(1)).max(MAX_CHARACTERS, atMost(MAX_CHARACTERS, 'characters')),
  /** The act the scene belongs to (1 = first act). */
  act: z.number().int().min(1).max(MAX_ACTS),
  beat: z.string().min(1),
  /** What the scene's point-of-view character is after here. */
  goal: z.string().min(1),
  /** What stands in the way, on screen. */
  conflict: z.string().min(1),
  /** The moment the scene changes direction. */
  turn: z.string().min(1),
  /** How things stand when it ends: the fact later scenes build on. */
  outcome: z.string().min(1),
  /** Two to five steps the scene plays, in order. */
  subBeats: z.array(z.string().min(1)).min(2).max(5),
  /** One sentence a reader of the scene list needs: what happens. */
  summary: z.string().min(1),
});
export type SceneCard = z.infer<typeof SceneCardSchema>;

/** What a continuity fact is about: a death or a departure for good, an injury, an object's state, who knows what, a tie between people, or the story's clock; `state` is how things stand after a scene. */
export const CONTINUITY_KINDS = ['state', 'death', 'absence', 'injury', 'object', 'knowledge', 'relationship', 'time'] as const;
export const ContinuityKindSchema = z.enum(CONTINUITY_KINDS);
export type ContinuityKind = z.infer<typeof ContinuityKindSchema>;
/** Facts one scene may establish (a model listing more is padding). */
export const MAX_FACTS_PER_SCENE = 8;

/** Something a scene settles that later scenes must not contradict. */
export const ContinuityFactSchema = z.strictObject({
  /** The scene that establishes it. */
  scene: z.number().int().min(1),
  kind: ContinuityKindSchema,
  /** Who or what it is about: a cast name, an object ("the letter"), or "time". */
  subject: z.string().min(1),
  /** The fact in one sentence. */
  text: z.string().min(1),
});
export type ContinuityFact = z.infer<typeof ContinuityFactSchema>;

/** Facts kept beside a plan or a draft: what the model (or, offline, the heuristics) read in it. */
const continuityFacts = z.array(ContinuityFactSchema).max(MAX_SCENES * MAX_FACTS_PER_SCENE).optional();

export const SceneListSchema = z.strictObject({
  scenes: z.array(SceneCardSchema).min(1).max(MAX_SCENES, atMost(MAX_SCENES, 'scenes')),
  /** The facts the cards establish, read after planning. */
  continuity: continuityFacts,
  /** What the facts were read from (see `sourceKey`): after an edit of the cards they no longer count. */
  continuityKey: z.string().optional(),
});
export type SceneList = z.infer<typeof SceneListSchema>;

/** One screenplay element in order. `parenthetical` is null when a line has none. */
export const ScreenplayElementSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('action'), text: z.string() }),
  z.strictObject({
    type: z.literal('line'),
    character: z.string().min(1),
    parenthetical: z.string().nullable(),
    text: z.string(),
  }),
  z.strictObject({ type: z.literal('transition'), text: z.string() }),
]);
export type ScreenplayElement = z.infer<typeof ScreenplayElementSchema>;

export const DialogueSceneSchema = z.strictObject({
  number: z.number().int().min(1),
  /** The scene heading as written (empty when the writer left it out: review flags that). */
  heading: z.string(),
  elements: z.array(ScreenplayElementSchema),
});
export type DialogueScene = z.infer<typeof DialogueSceneSchema>;

/** Set by the offline writer: the text stands in for a model's and must not be mistaken for a draft. */
const placeholderFlag = z.boolean().optional();

export const DialogueSchema = z.strictObject({
  scenes: z.array(DialogueSceneSchema).min(1).max(MAX_SCENES, atMost(MAX_SCENES, 'scenes')),
  placeholder: placeholderFlag,
  /** The facts the written scenes establish, read after each writing pass. */
  continuity: continuityFacts,
  /** What the facts were read from (see `sourceKey`): after an edit of the text they no longer count. */
  continuityKey: z.string().optional(),
});
export type Dialogue = z.infer<typeof DialogueSchema>;

export const PassageSchema = z.strictObject({
  number: z.number().int().min(1),
  title: z.string(),
  text: z.string().min(1),
});
export type Passage = z.infer<typeof PassageSchema>;

export const DraftSchema = z.strictObject({
  passages: z.array(PassageSchema).min(1).max(MAX_SCENES, atMost(MAX_SCENES, 'passages')),
  placeholder: placeholderFlag,
  /** The facts the written passages establish, read after each writing pass. */
  continuity: continuityFacts,
  /** What the facts were read from (see `sourceKey`): after an edit of the text they no longer count. */
  continuityKey: z.string().optional(),
});
export type Draft = z.infer<typeof DraftSchema>;

/** A note for a rewrite: about one scene (by number), or about no single scene (`scene: null`). */
export const SceneNoteSchema = z.strictObject({
  scene: z.number().int().min(1).nullable(),
  note: z.string().min(1),
});
export type SceneNote = z.infer<typeof SceneNoteSchema>;

/** A note as one line of text: "Scene 3: …" for a scene's note. */
export function sceneNoteText(note: SceneNote): string {
  return note.scene === null ? note.note : `Scene ${note.scene}: ${note.note}`;
}

export const ReviewIssueSchema = z.strictObject({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  sceneNumber: z.number().int().optional(),
});
export type ReviewIssue = z.infer<typeof ReviewIssueSchema>;

export const RubricSchema = z.strictObject({
  coherence: z.number().int().min(1).max(10),
  relevance: z.number().int().min(1).max(10),
  interest: z.number().int().min(1).max(10),
  score: z.number().int().min(1).max(10),
  /** The answer to "is this story text, rather than commentary about a story?". */
  storyText: z.boolean(),
  /** Scenes whose card's beat does not happen on the page. */
  beatsMissed: z.array(z.number().int().min(1)),
  /** What to fix, each against one scene where it can be (no praise: only changes). */
  notes: z.array(SceneNoteSchema),
  /** The judgement in one or two sentences. */
  comment: z.string(),
});
export type Rubric = z.infer<typeof RubricSchema>;

export const POLICY_CATEGORIES = ['minors', 'hate', 'graphic-violence', 'self-harm', 'defamation', 'verbatim'] as const;
export const PolicyCategorySchema = z.enum(POLICY_CATEGORIES);
export type PolicyCategory = z.infer<typeof PolicyCategorySchema>;

/** Something a person should look at before the text goes on: which category, where, and the words that raised it. */
export const PolicyFlagSchema = z.strictObject({
  category: PolicyCategorySchema,
  scene: z.number().int().min(1).nullable(),
  evidence: z.string(),
  message: z.string(),
  /** Found by the lexicon checks, or by a model judge. */
  source: z.enum(['checks', 'judge']),
});
export type PolicyFlag = z.infer<typeof PolicyFlagSchema>;

/** One reading of the target: what it found then (the first pass's findings are what the revisions fixed). */
export const ReviewPassSchema = z.strictObject({
  score: z.number().int().min(1).max(10),
  issues: z.array(ReviewIssueSchema),
  notes: z.array(SceneNoteSchema),
  /** The previous pass's notes this pass confirms fixed: nothing said about their scene (or the plan) again. */
  resolved: z.array(SceneNoteSchema),
  /** The previous pass's notes still open: this pass has notes about the same scene (or the plan) again. */
  unresolved: z.array(SceneNoteSchema),
});
export type ReviewPass = z.infer<typeof ReviewPassSchema>;

export const ReviewSchema = z.strictObject({
  target: z.string(),
  score: z.number().int().min(1).max(10),
  threshold: z.number(),
  passed: z.boolean(),
  /** The final pass's findings. */
  issues: z.array(ReviewIssueSchema),
  /** The final pass's notes: by scene where they could be placed, `scene: null` for the ones no scene could take. */
  notes: z.array(SceneNoteSchema),
  revisions: z.number().int().min(0),
  rubric: RubricSchema,
  /** Content-policy flags on the final text; any flag sends the run to a person (a `policy` approval). */
  policy: z.array(PolicyFlagSchema),
  /** Every pass in order, the first on the original text and one after each revision (`revisions + 1` in all). */
  passes: z.array(ReviewPassSchema).min(1).max(MAX_REVIEW_PASSES, atMost(MAX_REVIEW_PASSES, 'passes')),
});
export type Review = z.infer<typeof ReviewSchema>;

export const ExportedDocumentSchema = z.strictObject({
  format: TextExportFormatSchema,
  mediaType: z.string(),
  filename: z.string(),
  content: z.string(),
});
