import React, { useState } from 'react';
import { ApiClient, useNotice, ViewHelpers, type ActionProps } from 'adminjs';
import { Box, Button, Icon, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import SecretPanel from './secret-panel.js';

const api = new ApiClient();
const h = new ViewHelpers();

/** Set on the action (`custom`): what the screen explains, and what its button does. */
interface Options {
  intro: string;
  submit: string;
  what: string;
  usage: string;
  /** Where "Done" leads: the record's page, or its resource's list (a rotated key is revoked). */
  doneAt: 'record' | 'list';
}

/**
 * An action that makes a secret (a new API key, a rotation): opening it changes nothing; its button
 * asks the server (POST), and the secret the answer holds stays on the screen until the operator
 * leaves it.
 */
export default function ShownOnceAction({ action, resource, record }: ActionProps) {
  const { intro, submit, what, usage, doneAt } = action.custom as Options;
  const [secret, setSecret] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  async function make() {
    setSending(true);
    try {
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record!.id,
        actionName: action.name,
        data: new FormData(),
      });
      const answer = response.data as { secret?: string; notice?: Parameters<typeof addNotice>[0] };
      if (answer.secret) setSecret(answer.secret);
      else if (answer.notice) addNotice(answer.notice);
    } finally {
      setSending(false);
    }
  }

  if (secret) {
    const leave = () =>
      navigate(
        doneAt === 'list'
          ? h.resourceUrl({ resourceId: resource.id })
          : h.recordActionUrl({ resourceId: resource.id, recordId: record!.id, actionName: 'show' }),
      );
    return <SecretPanel what={what} secret={secret} usage={usage} done={{ label: 'Done: I have copied it', onClick: leave }} />;
  }
  return (
    <Box variant="card">
      <Text mb="xl">{intro}</Text>
      <Button type="button" variant="contained" onClick={make} disabled={sending}>
        <Icon icon={sending ? 'Loader' : 'Key'} spin={sending} />
        {submit}
      </Button>
    </Box>
  );
}
