import React from 'react';
import { useTranslation, ViewHelpers, type BasePropertyProps } from 'adminjs';
import { ValueGroup } from '@adminjs/design-system';
import { Link } from 'react-router-dom';

const h = new ViewHelpers();

/** A member named in words (the property's value), linked to their page by the record's `memberId`. */
export default function MemberLinkProperty({ property, record, where }: BasePropertyProps) {
  const { translateProperty } = useTranslation();
  const text = String(record?.params[property.path] ?? '');
  const memberId = record?.params.memberId as string | undefined;
  const shown = memberId ? (
    <Link
      to={h.recordActionUrl({ resourceId: 'Member', recordId: memberId, actionName: 'show' })}
      onClick={(event: React.MouseEvent) => event.stopPropagation()}
    >
      {text}
    </Link>
  ) : (
    <span>{text}</span>
  );
  return where === 'show' ? <ValueGroup label={translateProperty(property.label, property.resourceId)}>{shown}</ValueGroup> : shown;
}
