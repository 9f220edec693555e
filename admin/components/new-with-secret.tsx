import React, { useState } from 'react';
import { BasePropertyComponent, useRecord, useTranslation, ViewHelpers, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, DrawerContent, DrawerFooter, Icon } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import SecretPanel from './secret-panel.js';

const h = new ViewHelpers();

/**
 * AdminJS's form for a new record, for records the server gives a secret (a webhook endpoint's
 * signing secret): once saved, the secret its answer holds stays on the screen, instead of the list.
 */
export default function NewWithSecret({ record: initialRecord, resource, action }: ActionProps) {
  const { what, usage } = action.custom as { what: string; usage: string };
  const { record, handleChange, submit, loading } = useRecord(initialRecord, resource.id);
  const [made, setMade] = useState<{ id: string; secret: string } | null>(null);
  const { translateButton } = useTranslation();
  const navigate = useNavigate();

  function save(event: React.FormEvent) {
    event.preventDefault();
    submit().then((response) => {
      const answer = response.data as { record?: RecordJSON; secret?: string };
      const saved = answer.record?.id && Object.keys(answer.record.errors ?? {}).length === 0;
      if (saved && answer.secret) setMade({ id: answer.record!.id, secret: answer.secret });
    });
  }

  if (made) {
    const leave = () => navigate(h.recordActionUrl({ resourceId: resource.id, recordId: made.id, actionName: 'show' }));
    return <SecretPanel what={what} secret={made.secret} usage={usage} done={{ label: 'Done: I have copied it', onClick: leave }} />;
  }
  return (
    <Box as="form" flex flexGrow={1} flexDirection="column" onSubmit={save}>
      <DrawerContent>
        {resource.editProperties.map((property) => (
          <BasePropertyComponent
            key={property.propertyPath}
            where="edit"
            onChange={handleChange}
            property={property}
            resource={resource}
            record={record as RecordJSON}
          />
        ))}
      </DrawerContent>
      <DrawerFooter>
        <Button variant="contained" type="submit" disabled={loading} data-testid="button-save">
          {loading ? <Icon icon="Loader" spin /> : null}
          {translateButton('save', resource.id)}
        </Button>
      </DrawerFooter>
    </Box>
  );
}
