import React from 'react';
import { BasePropertyComponent, useRecord, useTranslation, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, DrawerContent, DrawerFooter, H4, Icon, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

/** Set on the action (`custom`): the fields of the form's second and third parts, by part. */
interface Options {
  pointOfSale: string[];
  invitation: string[];
}

/**
 * A new partner in one form: the partner, its first point of sale and the user invited to its
 * part of the back office. Saving makes all three (and the partner's wallet) or nothing; what is
 * wrong shows under its field.
 */
export default function PartnerOnboardingForm({ resource, action }: ActionProps) {
  const { pointOfSale, invitation } = action.custom as Options;
  const { record, handleChange, submit, loading } = useRecord(undefined, resource.id);
  const { translateButton } = useTranslation();
  const navigate = useNavigate();

  function save(event: React.FormEvent) {
    event.preventDefault();
    submit().then((response) => {
      const answer = response.data as { redirectUrl?: string };
      if (answer.redirectUrl) navigate(answer.redirectUrl);
    });
  }

  const field = (name: string) => (
    <BasePropertyComponent
      key={name}
      where="edit"
      onChange={handleChange}
      property={resource.properties[name]!}
      resource={resource}
      record={record as RecordJSON}
    />
  );
  const part = (title: string, help: string) => (
    <Box mt="xl" mb="lg">
      <H4 mb="sm">{title}</H4>
      <Text variant="sm" color="grey60">
        {help}
      </Text>
    </Box>
  );
  return (
    <Box as="form" flex flexGrow={1} flexDirection="column" onSubmit={save} data-testid="partner-onboarding">
      <DrawerContent>
        {part('The partner', 'Its wallet for the points it buys is opened with it.')}
        {resource.editProperties.map((property) => field(property.propertyPath))}
        {part('Its first point of sale', 'Where it sells: its API calls name it by this code. Add more later under Points of sale.')}
        {pointOfSale.map(field)}
        {part(
          'Its user',
          'This person gets an email with a link to set a password (it works once, for 7 days), then signs in to see this partner only.',
        )}
        {invitation.map(field)}
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
