import React from 'react';
import { flat, PropertyLabel, type BasePropertyProps } from 'adminjs';
import { FormGroup, FormMessage, Input } from '@adminjs/design-system';

/**
 * A date and time as a clock reads it (`2026-12-24T10:00`), without the browser's own zone: the
 * server reads it on the clock of the time zone the form names beside it.
 */
export default function WallClockInput({ property, record, onChange }: BasePropertyProps) {
  const value = String(flat.get(record?.params ?? {}, property.path) ?? '').slice(0, 16);
  const error = record?.errors?.[property.path];
  return (
    <FormGroup error={!!error}>
      <PropertyLabel property={property} />
      <Input
        id={property.path}
        name={property.path}
        type="datetime-local"
        value={value}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange?.(property.path, event.target.value)}
      />
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
}
