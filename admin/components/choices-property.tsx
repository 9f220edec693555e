import React from 'react';
import { flat, useTranslation, type BasePropertyProps } from 'adminjs';
import { FormGroup, FormMessage, Label, Select, ValueGroup } from '@adminjs/design-system';

interface Choice {
  value: string;
  label: string;
}

/**
 * A list of values chosen among the property's `availableValues` (a webhook endpoint's events): a
 * multiple choice in forms, the choices' labels in lists and pages.
 */
export default function ChoicesProperty({ property, record, onChange, where }: BasePropertyProps) {
  const { translateProperty } = useTranslation();
  const choices = (property.availableValues ?? []) as Choice[];
  const chosen = ((flat.get(record?.params ?? {}, property.path) as string[] | undefined) ?? []).filter(Boolean);
  const labelOf = (value: string) => choices.find((choice) => choice.value === value)?.label ?? value;
  const label = translateProperty(property.label, property.resourceId);

  if (where === 'edit') {
    const error = record?.errors?.[property.path];
    return (
      <FormGroup error={!!error}>
        <Label htmlFor={property.path} required={property.isRequired}>
          {label}
        </Label>
        <Select
          isMulti
          inputId={property.path}
          options={choices}
          value={chosen.map((value) => ({ value, label: labelOf(value) }))}
          onChange={(selected: readonly Choice[] | null) =>
            onChange?.(
              property.path,
              (selected ?? []).map((choice) => choice.value),
            )
          }
        />
        <FormMessage>{error?.message}</FormMessage>
      </FormGroup>
    );
  }
  const names = chosen.map(labelOf).join(', ');
  return where === 'show' ? <ValueGroup label={label}>{names}</ValueGroup> : <span>{names}</span>;
}
