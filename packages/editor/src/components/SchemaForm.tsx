// A form generated from a node type's config JSON Schema: strings, numbers, booleans, enums and arrays of
// strings get proper controls; anything else is edited as raw JSON. Number fields also accept an
// `{{inputs.NAME}}` reference, since config strings may take their value from run inputs.
import type { ReactNode } from 'react';
import type { JsonSchema } from '../api/client';
import { Field, JsonEditor } from './fields';

type Kind = 'string' | 'number' | 'boolean' | 'enum' | 'string-array' | 'json';

function typesOf(schema: JsonSchema): string[] {
  const own = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(typesOf);
  return [...own, ...nested];
}

export function enumOf(schema: JsonSchema): unknown[] | undefined {
  if (schema.enum) return schema.enum;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.every((alt) => alt.const !== undefined || alt.enum)) return alternatives.flatMap((alt) => alt.enum ?? [alt.const]);
  return undefined;
}

export function kindOf(schema: JsonSchema): Kind {
  if (enumOf(schema)) return 'enum';
  const types = typesOf(schema).filter((t) => t !== 'null');
  if (types.includes('array')) return schema.items && typesOf(schema.items).every((t) => t === 'string') ? 'string-array' : 'json';
  if (types.includes('object')) return 'json';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('boolean') && types.length === 1) return 'boolean';
  if (types.includes('string')) return 'string';
  return 'json';
}

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (key: string, value: unknown) => void;
  /** Renders a field itself (the prompt-template editor) or returns undefined for the default. */
  renderField?: (key: string, schema: JsonSchema) => ReactNode | undefined;
  problems?: Record<string, string>;
}

export function SchemaForm({ schema, value, onChange, renderField, problems = {} }: SchemaFormProps) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  if (!properties.length) return <p className="muted">This node type has no settings.</p>;
  return (
    <div className="schema-form">
      {properties.map(([key, property]) => {
        const custom = renderField?.(key, property);
        if (custom !== undefined) return <div key={key}>{custom}</div>;
        return (
          <Field key={key} label={key} hint={hintFor(property)} required={required.has(key)} error={problems[key]}>
            <SchemaInput name={key} schema={property} value={value[key]} onChange={(v) => onChange(key, v)} />
          </Field>
        );
      })}
    </div>
  );
}

function hintFor(schema: JsonSchema): string | undefined {
  const parts = [schema.description];
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? '…'}–${schema.maximum ?? '…'}`);
  return parts.filter(Boolean).join(' · ') || undefined;
}

function SchemaInput({ name, schema, value, onChange }: { name: string; schema: JsonSchema; value: unknown; onChange: (value: unknown) => void }) {
  const testId = `config-${name}`;
  switch (kindOf(schema)) {
    case 'enum':
      return (
        <select data-testid={testId} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : enumOf(schema)!.find((v) => String(v) === e.target.value))}>
          <option value="">{schema.default !== undefined ? `(default: ${String(schema.default)})` : '(not set)'}</option>
          {enumOf(schema)!.map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <select data-testid={testId} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">{schema.default !== undefined ? `(default: ${String(schema.default)})` : '(not set)'}</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
    case 'number':
      return (
        <input
          data-testid={testId}
          value={value === undefined ? '' : String(value)}
          placeholder={schema.default !== undefined ? String(schema.default) : 'number or {{inputs.name}}'}
          onChange={(e) => {
            const text = e.target.value.trim();
            onChange(text === '' ? undefined : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : e.target.value);
          }}
        />
      );
    case 'string':
      return (
        <input data-testid={testId} value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)} placeholder={schema.default !== undefined ? String(schema.default) : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
      );
    case 'string-array':
      return (
        <textarea
          data-testid={testId}
          rows={3}
          value={Array.isArray(value) ? value.join('\n') : ''}
          placeholder="one per line"
          onChange={(e) => {
            const items = e.target.value.split('\n');
            onChange(e.target.value === '' ? undefined : items);
          }}
          onBlur={(e) => {
            const items = e.target.value.split('\n').map((s) => s.trim()).filter(Boolean);
            onChange(items.length ? items : undefined);
          }}
        />
      );
    default:
      return <JsonEditor value={value} onChange={onChange} rows={5} testId={testId} />;
  }
}
