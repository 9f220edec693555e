import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Label, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

/** An operator rejects a partner's campaign waiting for approval, saying why: the partner reads it on the campaign. */
export default function CampaignRejectionForm({ action, resource, record }: ActionProps) {
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<RecordJSON['errors']>({});
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

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

  const error = errors.reason;
  return (
    <Box variant="card" as="form" onSubmit={send} data-testid="campaign-rejection-form">
      <H3>Reject {record!.params.name}</H3>
      <Text mb="lg">The campaign goes back to its partner as a draft, with your reason: they can change it and ask again.</Text>
      <FormGroup error={!!error}>
        <Label htmlFor="reason" required>
          Why it is rejected (the partner reads this)
        </Label>
        <TextArea
          id="reason"
          name="reason"
          value={reason}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
          style={{ width: '100%' }}
        />
        <FormMessage>{error?.message}</FormMessage>
      </FormGroup>
      <Button type="submit" variant="contained" color="danger" disabled={sending}>
        Reject
      </Button>
    </Box>
  );
}
