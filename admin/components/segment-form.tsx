import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

interface Options {
  tiers: { code: string; name: string }[];
  partners: { id: string; name: string }[];
}
type Errors = Record<string, { message: string }>;
interface Form {
  name: string;
  description: string;
  tierCodes: string[];
  balanceMin: string;
  balanceMax: string;
  activity: string;
  activityDays: string;
  visitedPartnerIds: string[];
  spendMin: string;
  spendMax: string;
  spendDays: string;
  birthdayMonth: string;
  emailOptIn: boolean;
  smsOptIn: boolean;
}

const empty: Form = {
  name: '',
  description: '',
  tierCodes: [],
  balanceMin: '',
  balanceMax: '',
  activity: '',
  activityDays: '30',
  visitedPartnerIds: [],
  spendMin: '',
  spendMax: '',
  spendDays: '90',
  birthdayMonth: '',
  emailOptIn: false,
  smsOptIn: false,
};
const months = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.UTC(2000, i, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' }),
);

function Field(props: { id: string; label: string; value: string; onChange: (v: string) => void; error?: string; width?: number }) {
  return (
    <FormGroup error={!!props.error} style={{ width: props.width ?? 'auto' }}>
      <Label htmlFor={props.id}>{props.label}</Label>
      <Input id={props.id} value={props.value} onChange={(e: React.ChangeEvent<HTMLInputElement>) => props.onChange(e.target.value)} />
      <FormMessage>{props.error}</FormMessage>
    </FormGroup>
  );
}

/** Ticks from a list of names: each ticked value is in the condition. */
function Ticks(props: {
  id: string;
  label: string;
  items: [string, string][];
  chosen: string[];
  onChange: (v: string[]) => void;
  error?: string;
}) {
  return (
    <FormGroup error={!!props.error}>
      <Label>{props.label}</Label>
      <Box flex style={{ gap: 16, flexWrap: 'wrap' }} data-testid={props.id}>
        {props.items.length === 0 ? <Text variant="sm">None yet.</Text> : null}
        {props.items.map(([value, label]) => (
          <label key={value} style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
            <input
              type="checkbox"
              checked={props.chosen.includes(value)}
              onChange={(e) => props.onChange(e.target.checked ? [...props.chosen, value] : props.chosen.filter((v) => v !== value))}
            />
            {label}
          </label>
        ))}
      </Box>
      <FormMessage>{props.error}</FormMessage>
    </FormGroup>
  );
}

/**
 * A segment's form: its name, then each condition as a person thinks of it (tiers and partners by
 * name, a month by name, money in euros); conditions left empty do not narrow it. "Count members"
 * checks and counts it without saving.
 */
export default function SegmentFormPage({ resource, action, record }: ActionProps) {
  const [options, setOptions] = useState<Options | null>(null);
  const [form, setForm] = useState<Form>(empty);
  const [errors, setErrors] = useState<Errors>({});
  const [size, setSize] = useState<number | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) => {
      setForm((f) => ({ ...f, [key]: value }));
      setSize(null);
    };

  useEffect(() => {
    const asked = record
      ? api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name })
      : api.resourceAction({ resourceId: resource.id, actionName: action.name });
    void asked.then((response) => {
      const answer = response.data as { options: Options; form: Partial<Form> | null };
      setOptions(answer.options);
      if (answer.form) setForm({ ...empty, ...answer.form, activityDays: answer.form.activityDays || empty.activityDays });
    });
  }, []);

  async function send(intent: 'count' | 'save') {
    setSending(true);
    const data = new FormData();
    data.append('segment', JSON.stringify({ ...form, activityDays: form.activity ? form.activityDays : '' }));
    data.append('intent', intent);
    try {
      const response = record
        ? await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, method: 'post', data })
        : await api.resourceAction({ resourceId: resource.id, actionName: action.name, method: 'post', data });
      const answer = response.data as { errors?: Errors; size?: number; redirectUrl?: string; notice?: Parameters<typeof addNotice>[0] };
      setErrors(answer.errors ?? {});
      if (answer.errors && Object.keys(answer.errors).length > 0)
        addNotice({ message: 'Please correct the highlighted fields', type: 'error' });
      if (answer.size !== undefined) setSize(answer.size);
      if (answer.notice) addNotice(answer.notice);
      if (answer.redirectUrl) navigate(answer.redirectUrl);
    } finally {
      setSending(false);
    }
  }

  if (!options) return <Text>Loading…</Text>;
  const error = (key: string) => errors[key]?.message;
  return (
    <Box variant="card" data-testid="segment-form">
      <H3>{record ? `Change ${record.params.name}` : 'New segment'}</H3>
      <Text mb="xl">
        A segment is the members who meet every condition you fill in; leave a condition empty to not narrow by it. It is counted live: a
        campaign for it looks at each member when their purchase or action is recorded, not at a list made once.
      </Text>
      <Field id="name" label="Name" value={form.name} onChange={set('name')} error={error('name')} />
      <Field
        id="description"
        label="Description (what it is for)"
        value={form.description}
        onChange={set('description')}
        error={error('description')}
      />
      <Ticks
        id="tierCodes"
        label="In any of these tiers"
        items={options.tiers.map((t) => [t.code, t.name])}
        chosen={form.tierCodes}
        onChange={set('tierCodes')}
        error={error('tierCodes')}
      />
      <Box flex style={{ gap: 24 }}>
        <Field
          id="balanceMin"
          label="Points available: at least"
          value={form.balanceMin}
          onChange={set('balanceMin')}
          error={error('balanceMin')}
        />
        <Field
          id="balanceMax"
          label="Points available: at most"
          value={form.balanceMax}
          onChange={set('balanceMax')}
          error={error('balanceMax')}
        />
      </Box>
      <Box flex style={{ gap: 24 }}>
        <FormGroup error={!!error('activity')}>
          <Label htmlFor="activity">Activity (a purchase, visit or action)</Label>
          <select
            id="activity"
            value={form.activity}
            onChange={(e) => set('activity')(e.target.value)}
            style={{ padding: 8, minWidth: 260 }}
          >
            <option value="">Any</option>
            <option value="active">Active within the last … days</option>
            <option value="inactive">Inactive for … days or more</option>
          </select>
          <FormMessage>{error('activity')}</FormMessage>
        </FormGroup>
        {form.activity ? (
          <Field
            id="activityDays"
            label="Days"
            value={form.activityDays}
            onChange={set('activityDays')}
            error={error('activityDays')}
            width={120}
          />
        ) : null}
      </Box>
      <Ticks
        id="visitedPartnerIds"
        label="Bought or visited at any of these partners"
        items={options.partners.map((p) => [p.id, p.name])}
        chosen={form.visitedPartnerIds}
        onChange={set('visitedPartnerIds')}
        error={error('visitedPartnerIds')}
      />
      <Box flex style={{ gap: 24 }}>
        <Field id="spendMin" label="Spent: at least (€)" value={form.spendMin} onChange={set('spendMin')} error={error('spendMin')} />
        <Field id="spendMax" label="Spent: at most (€)" value={form.spendMax} onChange={set('spendMax')} error={error('spendMax')} />
        <Field
          id="spendDays"
          label="Spend counted over the last … days"
          value={form.spendDays}
          onChange={set('spendDays')}
          error={error('spendDays')}
          width={240}
        />
      </Box>
      <FormGroup error={!!error('birthdayMonth')}>
        <Label htmlFor="birthdayMonth">Birthday in</Label>
        <select
          id="birthdayMonth"
          value={form.birthdayMonth}
          onChange={(e) => set('birthdayMonth')(e.target.value)}
          style={{ padding: 8, minWidth: 260 }}
        >
          <option value="">Any month</option>
          {months.map((month, i) => (
            <option key={month} value={String(i + 1)}>
              {month}
            </option>
          ))}
        </select>
        <FormMessage>{error('birthdayMonth')}</FormMessage>
      </FormGroup>
      <FormGroup>
        <Label>Takes offers and news</Label>
        <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <input id="emailOptIn" type="checkbox" checked={form.emailOptIn} onChange={(e) => set('emailOptIn')(e.target.checked)} />
          by email (and has an email address)
        </label>
        <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <input id="smsOptIn" type="checkbox" checked={form.smsOptIn} onChange={(e) => set('smsOptIn')(e.target.checked)} />
          by text message (and has a phone number)
        </label>
      </FormGroup>
      {size !== null ? (
        <MessageBox variant="info" mb="lg" data-testid="segment-size">
          {`${size} ${size === 1 ? 'member is' : 'members are'} in this segment now.`}
        </MessageBox>
      ) : null}
      <Box flex mt="xl" style={{ gap: 8 }}>
        <Button type="button" onClick={() => void send('count')} disabled={sending}>
          Count members
        </Button>
        <Button type="button" variant="contained" onClick={() => void send('save')} disabled={sending}>
          Save
        </Button>
      </Box>
    </Box>
  );
}
