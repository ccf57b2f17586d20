// One layout per story output, made for how a producer reads it: the cast as character cards, the setting as
// world plus locations, the outline as numbered beats by act, scene cards as a table, dialogue as screenplay
// pages, prose as pages. Anything else (a logline, a custom prompt's JSON) gets fields generated from its
// output schema or, without one, from the value's own shape.
import type { ReactElement, ReactNode } from 'react';
import type { JsonSchema } from '../../api/client';
import { valueAt, type PathKey } from '../../lib/pointer';
import { fieldWords } from '../../lib/draftCheck';
import { ListField, NameListField, NumberField, TextField, BooleanField, nextNumber, useForm } from './fields';

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII'];

/** List items as cards (or pages) with their remove button in the corner. */
const asCards = (className: string) => (content: ReactNode, remove: ReactNode, index: number) => (
  <article className={className} data-item={index}>
    <div className="card-tools">{remove}</div>
    {content}
  </article>
);

function CastLayout() {
  return (
    <ListField
      path={['characters']}
      noun="character"
      className="card-grid"
      newItem={() => ({ name: '', role: '', description: '', want: '', flaw: '', voice: '' })}
      item={asCards('draft-card character-card')}
      render={(path) => (
        <>
          <TextField path={[...path, 'name']} className="headline" placeholder="Name" label="Name" />
          <TextField path={[...path, 'role']} label="Role" />
          <TextField path={[...path, 'description']} label="Description" multiline />
          <TextField path={[...path, 'want']} label="Wants" multiline />
          <TextField path={[...path, 'flaw']} label="Flaw" multiline />
          <TextField path={[...path, 'voice']} label="Voice" multiline />
        </>
      )}
    />
  );
}

function SettingLayout() {
  return (
    <>
      <TextField path={['world']} label="World" multiline />
      <TextField path={['period']} label="Period" />
      <h5 className="draft-section">Locations</h5>
      <ListField
        path={['locations']}
        noun="location"
        className="card-grid"
        newItem={() => ({ name: '', description: '', interior: true })}
        item={asCards('draft-card')}
        render={(path) => (
          <>
            <TextField path={[...path, 'name']} className="headline" label="Name" />
            <BooleanField path={[...path, 'interior']} label="Interior (INT.)" />
            <TextField path={[...path, 'description']} label="Description" multiline />
          </>
        )}
      />
    </>
  );
}

function OutlineLayout() {
  return (
    <ListField
      path={['acts']}
      noun="act"
      className="acts"
      newItem={() => ({ title: '', beats: [] })}
      item={(content, remove, index) => (
        <section className="draft-act" data-item={index}>
          <div className="act-head">
            <span className="act-number">Act {ROMAN[index] ?? index + 1}</span>
            {remove}
          </div>
          {content}
        </section>
      )}
      render={(path) => (
        <>
          <TextField path={[...path, 'title']} label="Act title" className="headline" />
          <ListField
            path={[...path, 'beats']}
            noun="beat"
            className="beats"
            newItem={(beats) => ({ number: nextNumber(beats), summary: '' })}
            item={(content, remove) => (
              <div className="beat-row">
                {content}
                {remove}
              </div>
            )}
            render={(beat) => (
              <>
                <NumberField path={[...beat, 'number']} label="Beat" className="beat-number" />
                <TextField path={[...beat, 'summary']} label="What happens" multiline />
              </>
            )}
          />
        </>
      )}
    />
  );
}

function ScenesLayout() {
  return (
    <div className="scene-table" role="table">
      <div className="scene-row head" role="row">
        {['#', 'Heading', 'Location', 'Characters', 'Beat', 'Summary', ''].map((title) => (
          <span key={title} role="columnheader">
            {title}
          </span>
        ))}
      </div>
      <ListField
        path={['scenes']}
        noun="scene"
        newItem={(scenes) => ({ number: nextNumber(scenes), heading: 'INT. ', location: '', characters: [], beat: '', summary: '' })}
        item={(content, remove, index) => (
          <div className="scene-row" role="row" data-item={index}>
            {content}
            <span>{remove}</span>
          </div>
        )}
        render={(path) => (
          <>
            <NumberField path={[...path, 'number']} />
            <TextField path={[...path, 'heading']} placeholder="INT. PLACE - DAY" label="Heading" />
            <TextField path={[...path, 'location']} label="Location" />
            <NameListField path={[...path, 'characters']} label="Characters" />
            <TextField path={[...path, 'beat']} label="Beat" multiline maxRows={6} />
            <TextField path={[...path, 'summary']} label="Summary" multiline maxRows={6} />
          </>
        )}
      />
    </div>
  );
}

function ScreenplayElement({ path }: { path: readonly PathKey[] }) {
  const { value } = useForm();
  const type = (valueAt(value, [...path, 'type']) as string) ?? 'action';
  if (type === 'line')
    return (
      <div className="spf-line">
        <TextField path={[...path, 'character']} className="spf-cue" label="Character" placeholder="CHARACTER" />
        <TextField path={[...path, 'parenthetical']} className="spf-paren" label="Parenthetical" placeholder="(parenthetical)" nullable />
        <TextField path={[...path, 'text']} className="spf-dialogue" label="Dialogue" multiline />
      </div>
    );
  if (type === 'transition') return <TextField path={[...path, 'text']} className="spf-transition" label="Transition" />;
  return <TextField path={[...path, 'text']} className="spf-action" label="Action" multiline />;
}

function AddElements({ path }: { path: readonly PathKey[] }) {
  const { value, readOnly, set } = useForm();
  if (readOnly) return null;
  const items = (valueAt(value, path) as unknown[]) ?? [];
  const add = (element: unknown) => set(path, [...items, element]);
  return (
    <div className="button-row add-elements">
      <button type="button" className="ghost small" onClick={() => add({ type: 'action', text: '' })}>
        + Action
      </button>
      <button type="button" className="ghost small" onClick={() => add({ type: 'line', character: '', parenthetical: null, text: '' })}>
        + Line
      </button>
      <button type="button" className="ghost small" onClick={() => add({ type: 'transition', text: 'CUT TO:' })}>
        + Transition
      </button>
    </div>
  );
}

function DialogueLayout() {
  return (
    <ListField
      path={['scenes']}
      noun="scene"
      className="pages"
      newItem={(scenes) => ({ number: nextNumber(scenes), heading: 'INT. ', elements: [] })}
      item={asCards('page screenplay-page-form')}
      render={(path) => (
        <>
          <div className="spf-heading-row">
            <NumberField path={[...path, 'number']} className="spf-number" label="Scene" />
            <TextField path={[...path, 'heading']} className="spf-heading" label="Scene heading" placeholder="INT. PLACE - DAY" />
          </div>
          <ListField path={[...path, 'elements']} noun="element" render={(element) => <ScreenplayElement path={element} />} />
          <AddElements path={[...path, 'elements']} />
        </>
      )}
    />
  );
}

function ProseLayout() {
  return (
    <ListField
      path={['passages']}
      noun="passage"
      className="pages"
      newItem={(passages) => ({ number: nextNumber(passages), title: '', text: '' })}
      item={asCards('page prose-page')}
      render={(path) => (
        <>
          <div className="spf-heading-row">
            <NumberField path={[...path, 'number']} className="spf-number" label="Scene" />
            <TextField path={[...path, 'title']} className="headline" label="Title" />
          </div>
          <TextField path={[...path, 'text']} className="prose-text" label="Text" multiline maxRows={40} />
        </>
      )}
    />
  );
}

/** A blank value for a schema, for list items added by hand. */
function blankOf(schema: JsonSchema | undefined): unknown {
  if (!schema) return '';
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return blankOf(alternatives[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (schema.const !== undefined) return schema.const;
  if (type === 'object') return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, blankOf(property)]));
  if (type === 'array') return [];
  if (type === 'number' || type === 'integer') return 0;
  if (type === 'boolean') return false;
  return '';
}

const LONG_TEXT = /description|summary|text|logline|world|comment|notes?$|prompt/i;

/** Fields for any value, guided by its schema where there is one. */
function GenericFields({ path, schema, label }: { path: readonly PathKey[]; schema?: JsonSchema; label?: string }) {
  const { value } = useForm();
  const current = valueAt(value, path);
  const key = path[path.length - 1];
  const title = label ?? (typeof key === 'string' ? fieldWords(key) : undefined);
  const types = schema ? [schema.type].flat().filter(Boolean) : [];
  if (Array.isArray(current) || types.includes('array')) {
    const items = schema?.items;
    const stringItems = items ? [items.type].flat().includes('string') : Array.isArray(current) && current.every((item) => typeof item === 'string');
    if (stringItems && Array.isArray(current) && current.every((item) => typeof item === 'string' && !item.includes(','))) return <NameListField path={path} label={title} />;
    return (
      <fieldset className="draft-group">
        {title && <legend>{title}</legend>}
        <ListField
          path={path}
          noun={typeof key === 'string' ? fieldWords(key).replace(/s$/, '') : 'item'}
          newItem={() => blankOf(items)}
          render={(itemPath, index) => <GenericFields path={itemPath} schema={items} label={`${index + 1}`} />}
        />
      </fieldset>
    );
  }
  if ((current !== null && typeof current === 'object') || (types.includes('object') && current === undefined)) {
    const properties = schema?.properties ?? {};
    const keys = [...new Set([...Object.keys(properties), ...Object.keys((current as object) ?? {})])];
    return (
      <fieldset className="draft-group">
        {title && path.length > 0 && <legend>{title}</legend>}
        {keys.map((name) => (
          <GenericFields key={name} path={[...path, name]} schema={properties[name]} />
        ))}
      </fieldset>
    );
  }
  if (typeof current === 'number' || types.includes('number') || types.includes('integer')) return <NumberField path={path} label={title} />;
  if (typeof current === 'boolean' || types.includes('boolean')) return <BooleanField path={path} label={title ?? ''} />;
  const long = (typeof current === 'string' && current.length > 60) || (typeof key === 'string' && LONG_TEXT.test(key)) || path.length === 0;
  return <TextField path={path} label={title} multiline={long} maxRows={path.length === 0 ? 40 : 14} nullable={types.includes('null')} />;
}

const LAYOUTS: Record<string, { test: (value: unknown) => boolean; view: () => ReactElement }> = {
  characters: { test: (v) => Array.isArray((v as { characters?: unknown })?.characters), view: CastLayout },
  setting: { test: (v) => Array.isArray((v as { locations?: unknown })?.locations), view: SettingLayout },
  outline: { test: (v) => Array.isArray((v as { acts?: unknown })?.acts), view: OutlineLayout },
  scenes: { test: (v) => Array.isArray((v as { scenes?: unknown })?.scenes), view: ScenesLayout },
  dialogue: { test: (v) => Array.isArray((v as { scenes?: unknown })?.scenes), view: DialogueLayout },
  prose: { test: (v) => Array.isArray((v as { passages?: unknown })?.passages), view: ProseLayout },
};

/** The form for a draft of a node of `type`: its own layout when the value has the expected shape. */
export function DraftLayout({ type, schema }: { type?: string; schema?: JsonSchema }) {
  const { value } = useForm();
  const layout = type ? LAYOUTS[type] : undefined;
  if (layout?.test(value)) {
    const View = layout.view;
    return <View />;
  }
  return <GenericFields path={[]} schema={schema} />;
}
