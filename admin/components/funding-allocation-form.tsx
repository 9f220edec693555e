import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();
const number = new Intl.NumberFormat('en');

/**
 * Allocates points to a funding source: from its owner partner's wallet for a partner's budget, from
 * the program's issuance otherwise. A reference allocates once, however often the form is sent.
 */
export default function FundingAllocationForm({ action, resource, record }: ActionProps) {
  const [points, setPoints] = useState('');
  const [reference, setReference] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<RecordJSON['errors']>({});
  const [params, setParams] = useState(record!.params);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  useEffect(() => {
    void api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name }).then((response) => {
      const answer = response.data as { record?: RecordJSON };
      if (answer.record) setParams(answer.record.params);
    });
  }, []);

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setSending(true);
    const data = new FormData();
    data.append('points', points);
    data.append('reference', reference);
    data.append('note', note);
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

  const from = params.kind === 'partner' ? "the owner partner's wallet" : "the program's issuance";
  return (
    <Box variant="card" as="form" onSubmit={send} data-testid="funding-allocation-form">
      <H3>Allocate points to {params.name}</H3>
      <Text mb="lg">
        {params.remaining === undefined ? '' : `${number.format(Number(params.remaining))} points are left in it now. `}
        The points come from {from}, in one ledger transfer written to the audit log.
      </Text>
      <FormGroup error={!!errors.points}>
        <Label htmlFor="points" required>
          Points
        </Label>
        <Input
          id="points"
          name="points"
          inputMode="numeric"
          placeholder="e.g. 50000"
          value={points}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPoints(e.target.value)}
        />
        <FormMessage>{errors.points?.message}</FormMessage>
      </FormGroup>
      <FormGroup error={!!errors.reference}>
        <Label htmlFor="reference" required>
          Reference (a purchase order, a budget line): one reference allocates once
        </Label>
        <Input
          id="reference"
          name="reference"
          placeholder="e.g. PO-2026-114"
          value={reference}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setReference(e.target.value)}
        />
        <FormMessage>{errors.reference?.message}</FormMessage>
      </FormGroup>
      <FormGroup error={!!errors.note}>
        <Label htmlFor="note">Note (kept with the transfer)</Label>
        <TextArea
          id="note"
          name="note"
          value={note}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)}
          style={{ width: '100%' }}
        />
        <FormMessage>{errors.note?.message}</FormMessage>
      </FormGroup>
      <Button type="submit" variant="contained" disabled={sending}>
        Allocate points
      </Button>
    </Box>
  );
}
