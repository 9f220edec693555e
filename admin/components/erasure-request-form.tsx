import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

/**
 * Care's record of a member's request to be erased (by mail, by phone): what an erasure does, in
 * words, and how and when the member asked. Nothing is erased here: another staff member, a
 * supervisor, approves it under Erasure requests.
 */
export default function ErasureRequestForm({ action, resource, record }: ActionProps) {
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<RecordJSON['errors']>({});
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const params = record!.params;

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setSending(true);
    const data = new FormData();
    data.append('reason', reason);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const answer = response.data as { notice?: Parameters<typeof addNotice>[0]; record?: RecordJSON; redirectUrl?: string };
      if (answer.notice) addNotice(answer.notice);
      setErrors(answer.record?.errors ?? {});
      if (answer.redirectUrl) navigate(answer.redirectUrl);
    } finally {
      setSending(false);
    }
  }

  if (params.privacyState !== 'none') {
    return (
      <Box variant="card" data-testid="erasure-request-form">
        <H3>Erase the personal data of {params.externalId}</H3>
        <MessageBox variant="info">{params.personalData}</MessageBox>
      </Box>
    );
  }
  const error = errors.reason;
  return (
    <Box variant="card" as="form" onSubmit={send} data-testid="erasure-request-form">
      <H3>Erase the personal data of {params.externalId}</H3>
      <Text mb="lg">
        For a member who asked to be forgotten otherwise than from their dashboard (a letter, an email, a call). Once approved, their email,
        phone, name and profile are erased everywhere; the stores that know them can no longer recognise them, though their purchases still
        count; the messages sent to them are kept without address or content; the points they have left are forfeited to breakage, each lot
        to the partner who funded it. It cannot be undone.
      </Text>
      <MessageBox mb="lg" variant="info">
        A care supervisor approves it (someone else than you): only then is anything erased. It is refused while points are held for a
        reward being shipped.
      </MessageBox>
      <FormGroup error={!!error} data-testid="field-reason">
        <Label htmlFor="reason" required>
          How and when the member asked
        </Label>
        <TextArea
          id="reason"
          name="reason"
          placeholder="e.g. letter of 2 May, signed by the member"
          value={reason}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
          style={{ width: '100%' }}
        />
        <FormMessage>{error?.message}</FormMessage>
      </FormGroup>
      <Button type="submit" variant="contained" color="danger" disabled={sending}>
        Ask for the erasure
      </Button>
    </Box>
  );
}
