import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();
const number = new Intl.NumberFormat('en');

/**
 * A care adjustment for the member whose page it was opened from: points either way and the reason,
 * which the member reads in their email and history. Within the agent's allowance for the member
 * today it applies at once; above it, a care supervisor approves it first.
 */
export default function AdjustPointsForm({ action, resource, record }: ActionProps) {
  const [points, setPoints] = useState('');
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
    data.append('points', points);
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

  const name = params.displayName ? `${params.displayName} (${params.externalId})` : params.externalId;
  return (
    <Box variant="card" as="form" onSubmit={send} data-testid="adjust-points-form">
      <H3>Adjust the points of {name}</H3>
      <Text mb="lg">
        {number.format(Number(params.available))} points available now. Give points (a positive number) or take them back (a negative one).
      </Text>
      <MessageBox mb="lg" variant="info">
        {Number(params.allowanceLeft) > 0
          ? `Up to ${number.format(Number(params.allowanceLeft))} points (either way) apply at once: your adjustments for this member today count towards the program's ${number.format(Number(params.threshold))}. Beyond that, a care supervisor approves before the points move.`
          : `You have adjusted this member by the program's ${number.format(Number(params.threshold))} points today: a care supervisor approves any further adjustment before the points move.`}{' '}
        The member is emailed once the points move.
      </MessageBox>
      <FormGroup error={!!errors.points}>
        <Label htmlFor="points" required>
          Points
        </Label>
        <Input
          id="points"
          name="points"
          inputMode="numeric"
          placeholder="e.g. 40, or -40"
          value={points}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPoints(e.target.value)}
        />
        <FormMessage>{errors.points?.message}</FormMessage>
      </FormGroup>
      <FormGroup error={!!errors.reason}>
        <Label htmlFor="reason" required>
          Reason, as the member will read it
        </Label>
        <TextArea
          id="reason"
          name="reason"
          placeholder="e.g. Points missing from your receipt of 2 May"
          value={reason}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
          style={{ width: '100%' }}
        />
        <FormMessage>{errors.reason?.message}</FormMessage>
      </FormGroup>
      <Button type="submit" variant="contained" disabled={sending}>
        Adjust points
      </Button>
    </Box>
  );
}
