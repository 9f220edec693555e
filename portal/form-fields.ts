import { randomBytes } from 'node:crypto';
import { escapeHtml } from './page-layout.js';

/** A field of a posted form, as text ('' when absent). */
export const formField = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/**
 * A new key for a form that moves points: sent back with it, it makes the form's effect happen
 * once however often it is submitted (a double tap, a reload, a retry after a timeout).
 */
export const newFormKey = () => randomBytes(16).toString('hex');
export const isFormKey = (value: string) => /^[0-9a-f]{32}$/.test(value);

/** A field's error, under it, tied to it for screen readers. */
export const fieldError = (id: string, message?: string) => (message ? `<p class="error" id="${id}-error">${escapeHtml(message)}</p>` : '');

const describedBy = (id: string, hint: string | undefined, error: string | undefined) => {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return `${ids ? ` aria-describedby="${ids}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
};

export interface FieldOptions {
  id: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  /** Extra attributes (autocomplete, inputmode, maxlength), written as given. */
  attributes?: string;
}

/** A labelled text input, with its hint above and its error under it. */
export function textField({ id, label, value = '', error, hint, attributes = '' }: FieldOptions): string {
  return `<label for="${id}">${escapeHtml(label)}</label>${hint ? `<p class="hint" id="${id}-hint">${escapeHtml(hint)}</p>` : ''}
<input id="${id}" name="${id}" value="${escapeHtml(value)}"${attributes ? ` ${attributes}` : ''}${describedBy(id, hint, error)}>
${fieldError(id, error)}`;
}

/** A labelled choice among `options` ([value, text]), with its error under it. */
export function selectField({ id, label, value = '', error, hint, attributes = '' }: FieldOptions, options: [string, string][]): string {
  const choices = options
    .map(([v, text]) => `<option value="${escapeHtml(v)}"${v === value ? ' selected' : ''}>${escapeHtml(text)}</option>`)
    .join('');
  return `<label for="${id}">${escapeHtml(label)}</label>${hint ? `<p class="hint" id="${id}-hint">${escapeHtml(hint)}</p>` : ''}
<select id="${id}" name="${id}"${attributes ? ` ${attributes}` : ''}${describedBy(id, hint, error)}>${choices}</select>
${fieldError(id, error)}`;
}
