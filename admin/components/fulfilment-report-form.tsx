import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

interface Field {
  name: string;
  label: string;
  placeholder?: string;
  multiline?: boolean;
}

const api = new ApiClient();

/**
 * The form of an order's report (shipped with a carrier and a tracking number, or failed with a
 * reason): what is picked is said at the top, each refusal under its field.
 */
export default function FulfilmentReportForm({ action, resource, record }: ActionProps) {
  const { fields, submit } = action.custom as { fields: Field[]; submit: string };
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<RecordJSON['errors']>({});
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const params = record!.params;

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setSending(true);
    const data = new FormData();
    for (const field of fields) data.append(field.name, values[field.name] ?? '');
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const answer = response.data as { notice?: Parameters<typeof addNotice>[0]; record?: RecordJSON; redirectUrl?: string };
      if (answer.notice) addNotice(answer.notice);
      setErrors(answer.record?.errors ?? {});
      if (answer.redirectUrl && Object.keys(answer.record?.errors ?? {}).length === 0) navigate(answer.redirectUrl);
    } finally {
      setSending(false);
    }
  }

  return (
    <Box variant="card" as="form" onSubmit={send} data-testid="fulfilment-report-form">
      <H3>{params.reward}</H3>
      <Text mb="lg">
        for {params.member}, ordered {new Date(String(params.orderedAt)).toLocaleString()}
      </Text>
      {params.shipTo ? <Text mb="lg">Ship to: {params.shipTo}</Text> : null}
      {params.state === 'cancelled' ? (
        <MessageBox mb="lg" variant="danger">
          This order was cancelled and the member given the points back. Mark it shipped only if the parcel left all the same: the points
          are then taken again (or care follows up when the member has spent them).
        </MessageBox>
      ) : null}
      {fields.map((field) => {
        const Control = field.multiline ? TextArea : Input;
        const error = errors[field.name];
        return (
          <FormGroup key={field.name} error={!!error} data-testid={`field-${field.name}`}>
            <Label htmlFor={field.name} required>
              {field.label}
            </Label>
            <Control
              id={field.name}
              name={field.name}
              placeholder={field.placeholder}
              value={values[field.name] ?? ''}
              onChange={(e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
                setValues({ ...values, [field.name]: e.target.value })
              }
              style={{ width: '100%' }}
            />
            <FormMessage>{error?.message}</FormMessage>
          </FormGroup>
        );
      })}
      <Button type="submit" variant="contained" disabled={sending}>
        {submit}
      </Button>
    </Box>
  );
}
