import React from 'react';
import { flat, useTranslation, type BasePropertyProps } from 'adminjs';
import { Badge, ValueGroup } from '@adminjs/design-system';
import { Link } from 'react-router-dom';

/**
 * How a value is shown on lists and pages (`property.custom.display`): a moment in the reader's
 * time zone, named; a number with its thousands grouped; an amount in minor units as money in its
 * currency (`custom.currency`, or the record's `custom.currencyProperty`); or a name the server
 * found for an id (`<path>Name`), linked to its page when the reader may open it (`<path>Link`);
 * or the label of a choice, as written.
 * All in the reader's own locale.
 */
interface Display {
  display: 'dateTime' | 'number' | 'money' | 'name' | 'choice';
  currency?: string;
  currencyProperty?: string;
  /** Shown when there is no value (an unlimited stock, no partner: the program). */
  empty?: string;
}

const locale = () => (typeof navigator === 'undefined' ? undefined : navigator.language);

function moment(value: unknown): string {
  const at = new Date(String(value));
  if (Number.isNaN(at.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}

function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

export default function ReadableValue({ property, record, where }: BasePropertyProps) {
  const { translateProperty } = useTranslation();
  const custom = (property.custom ?? {}) as Display;
  const params = record?.params ?? {};
  const value = flat.get(params, property.path) as unknown;
  const given = value !== undefined && value !== null && value !== '';
  let shown: React.ReactNode = given ? String(value) : (custom.empty ?? '');
  if (custom.display === 'dateTime' && given) shown = moment(value);
  if (custom.display === 'number' && given && Number.isFinite(Number(value))) shown = new Intl.NumberFormat(locale()).format(Number(value));
  if (custom.display === 'money' && given) {
    const currency = custom.currency ?? String(params[custom.currencyProperty ?? 'currency'] ?? '');
    shown = /^[A-Z]{3}$/.test(currency) ? money(Number(value), currency) : String(value);
  }
  if (custom.display === 'choice' && given) {
    const choice = property.availableValues?.find((option) => option.value === String(value));
    shown = <Badge>{choice?.label ?? String(value)}</Badge>;
  }
  if (custom.display === 'name') {
    const name = params[`${property.path}Name`] as string | undefined;
    const link = params[`${property.path}Link`] as string | undefined;
    shown = name ?? custom.empty ?? '';
    if (name && link) shown = <Link to={link}>{name}</Link>;
  }
  if (where === 'show') return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{shown}</ValueGroup>;
  // An amount or a number is read whole: a narrow column does not break it.
  return <span style={custom.display === 'name' ? undefined : { whiteSpace: 'nowrap' }}>{shown}</span>;
}
