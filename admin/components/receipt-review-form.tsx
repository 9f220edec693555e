import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, Select, Text, TextArea } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

interface StoreChoice {
  value: string;
  label: string;
}

/**
 * Care looks at a receipt waiting for review, its image beside what was read, and accepts it (with
 * the store, date or total corrected where the reading was wrong) or rejects it with a reason the
 * member reads on their dashboard. Each problem shows under its field.
 */
export default function ReceiptReviewForm({ action, resource, record }: ActionProps) {
  const params = record!.params;
  const stores = JSON.parse(String(params.storeChoices ?? '[]')) as StoreChoice[];
  const [store, setStore] = useState<string>(String(params.storeChoice ?? ''));
  const [purchasedOn, setPurchasedOn] = useState<string>(String(params.purchasedOn ?? ''));
  const [total, setTotal] = useState<string>(String(params.totalTyped ?? ''));
  const [reason, setReason] = useState('');
  const [anotherPurchase, setAnotherPurchase] = useState('');
  // Offered once a refusal names the field: the store sent a purchase of the same day and total (loyalty/receipts/receipt-review.ts).
  const [overrideOffered, setOverrideOffered] = useState(false);
  const [errors, setErrors] = useState<RecordJSON['errors']>({});
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  async function send(decision: 'accept' | 'acceptAnyway' | 'reject') {
    setSending(true);
    const data = new FormData();
    data.append('decision', decision);
    if (decision !== 'reject') {
      data.append('store', store);
      data.append('purchasedOn', purchasedOn);
      data.append('total', total);
      if (decision === 'acceptAnyway') data.append('anotherPurchase', anotherPurchase);
    } else data.append('rejectionReason', reason);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const answer = response.data as { notice?: Parameters<typeof addNotice>[0]; record?: RecordJSON; redirectUrl?: string };
      if (answer.notice) addNotice(answer.notice);
      if (answer.record?.errors?.anotherPurchase) setOverrideOffered(true);
      setErrors(answer.record?.errors ?? {});
      if (answer.redirectUrl) navigate(answer.redirectUrl);
    } finally {
      setSending(false);
    }
  }

  const selected = stores.find((s) => s.value === store) ?? null;
  return (
    <Box variant="card" data-testid="receipt-review-form" flex flexDirection="row" style={{ gap: 24, flexWrap: 'wrap' }}>
      <Box style={{ flex: '1 1 320px', maxWidth: 480 }}>
        {params.imageDataUrl ? (
          <img
            src={String(params.imageDataUrl)}
            alt="The receipt as the member sent it"
            style={{ width: '100%', border: '1px solid #ccc' }}
          />
        ) : (
          <Text>The image was deleted at the end of its retention period.</Text>
        )}
      </Box>
      <Box style={{ flex: '1 1 320px' }}>
        <H3>Why it waits: {String(params.reviewReasonLabel ?? '')}</H3>
        <Text mb="default">{String(params.reviewReasonExplanation ?? '')}</Text>
        <Text mb="lg">
          Read as: store “{String(params.storeName ?? '—')}”, OCR confidence {String(params.confidence ?? '—')}%.
        </Text>
        <FormGroup error={!!errors.store}>
          <Label htmlFor="store" required>
            Store
          </Label>
          <Select
            inputId="store"
            value={selected}
            options={stores}
            onChange={(choice: StoreChoice | null) => setStore(choice?.value ?? '')}
          />
          <FormMessage>{errors.store?.message}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.purchasedOn}>
          <Label htmlFor="purchasedOn" required>
            Date of purchase
          </Label>
          <Input
            id="purchasedOn"
            type="date"
            value={purchasedOn}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPurchasedOn(e.target.value)}
          />
          <FormMessage>{errors.purchasedOn?.message}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.total}>
          <Label htmlFor="total" required>
            Total paid
          </Label>
          <Input
            id="total"
            inputMode="decimal"
            value={total}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setTotal(e.target.value)}
          />
          <FormMessage>{errors.total?.message}</FormMessage>
        </FormGroup>
        <Button type="button" variant="contained" color="success" disabled={sending} onClick={() => void send('accept')} mb="xl">
          Accept and pay the points
        </Button>
        {overrideOffered ? (
          <Box mb="xl">
            <FormGroup error={!!errors.anotherPurchase}>
              <Label htmlFor="anotherPurchase">If it is another purchase (two coffees, one through the app and one paid cash): why</Label>
              <TextArea
                id="anotherPurchase"
                value={anotherPurchase}
                onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setAnotherPurchase(e.target.value)}
                style={{ width: '100%' }}
              />
              <FormMessage>{errors.anotherPurchase?.message}</FormMessage>
            </FormGroup>
            <Button type="button" variant="outlined" color="success" disabled={sending} onClick={() => void send('acceptAnyway')}>
              Accept anyway: it is another purchase
            </Button>
          </Box>
        ) : null}
        <FormGroup error={!!errors.rejectionReason}>
          <Label htmlFor="rejectionReason">Or reject it: why (the member reads this)</Label>
          <TextArea
            id="rejectionReason"
            value={reason}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
            style={{ width: '100%' }}
          />
          <FormMessage>{errors.rejectionReason?.message}</FormMessage>
        </FormGroup>
        <Button type="button" variant="outlined" color="danger" disabled={sending} onClick={() => void send('reject')}>
          Reject
        </Button>
      </Box>
    </Box>
  );
}
