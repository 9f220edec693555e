import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H3, H5, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

interface Options {
  partners: { id: string; name: string }[];
  pointsOfSale: { id: string; name: string; partner: string }[];
  tiers: { code: string; name: string }[];
  segments: { id: string; name: string; size: number }[];
  fundingSources: { id: string; name: string; remaining: number }[];
  categories: string[];
  actionTypes: string[];
  guardrails?: {
    partnerCampaignMaxMultiplier: number;
    partnerCampaignMaxPointsPerUnit: number;
    partnerCampaignMaxPoints: number;
    partnerCampaignsNeedApproval: boolean;
  };
}
interface Preview {
  basket: { points: number; campaignPoints: number; explanation: { rule: string; points: number; reason: string }[] };
  audienceSize: number | null;
  pointsPerDay: number;
  budgetDays: number | null;
}
type Errors = Record<string, { message: string }>;

const steps = ['Audience', 'Trigger', 'Reward', 'Schedule and budget', 'Review'] as const;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A native select with its label: simple to use with a keyboard and a screen reader. */
function Choice(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  error?: string;
}) {
  return (
    <FormGroup error={!!props.error}>
      <Label htmlFor={props.id}>{props.label}</Label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)} style={{ padding: 8, minWidth: 280 }}>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <FormMessage>{props.error}</FormMessage>
    </FormGroup>
  );
}

function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  help?: string;
  error?: string;
  type?: string;
}) {
  return (
    <FormGroup error={!!props.error}>
      <Label htmlFor={props.id}>{props.label}</Label>
      <Input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => props.onChange(e.target.value)}
      />
      {props.help ? <Text variant="sm">{props.help}</Text> : null}
      <FormMessage>{props.error}</FormMessage>
    </FormGroup>
  );
}

/**
 * The campaign builder: who, what they do, what they get, when and how much, then a review with a
 * preview on a sample basket and the pace of the last 30 days; saved as a draft or scheduled. As
 * the Edit action it opens filled in with the campaign (a draft, or a paused one).
 */
export default function CampaignBuilder({ resource, action, record }: ActionProps) {
  const editing = action.name === 'edit' && record ? record : null;
  const [options, setOptions] = useState<Options | null>(null);
  const [step, setStep] = useState(0);
  const [form, setForm] = useState({
    name: '',
    audience: 'everyone',
    tierCode: '',
    partnerId: '',
    segmentId: '',
    days: '30',
    trigger: 'category',
    category: '',
    reference: '',
    actionType: 'review',
    moment: 'first_purchase',
    reward: 'multiplier',
    amount: '2',
    pointOfSaleId: '',
    startsAt: '',
    endsAt: '',
    timeZone: zone,
    budgetPoints: '',
    holdoutPercent: '0',
    pendingDays: '',
    fundingSourceId: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const ask = (data?: FormData) =>
    editing
      ? api.recordAction({
          resourceId: resource.id,
          recordId: editing.id,
          actionName: action.name,
          ...(data ? { method: 'post', data } : {}),
        })
      : api.resourceAction({ resourceId: resource.id, actionName: action.name, ...(data ? { method: 'post', data } : {}) });

  useEffect(() => {
    void ask().then((response) => {
      const { options: loaded, campaign: filled } = response.data as { options: Options; campaign?: Partial<typeof form> };
      setOptions(loaded);
      setForm((f) => ({
        ...f,
        category: loaded.categories[0] ?? '',
        tierCode: loaded.tiers[0]?.code ?? '',
        partnerId: loaded.partners[0]?.id ?? '',
        segmentId: loaded.segments[0]?.id ?? '',
        // Empty fields of the edited campaign keep the pickers' first choices (switching its audience to a tier picks one).
        ...Object.fromEntries(Object.entries(filled ?? {}).filter(([, value]) => value !== '')),
      }));
    });
  }, []);

  const campaign = () => ({
    name: form.name,
    audience:
      form.audience === 'tiers'
        ? { kind: 'tiers', tierCodes: [form.tierCode] }
        : form.audience === 'partners'
          ? { kind: 'partners', partnerIds: [form.partnerId] }
          : form.audience === 'new_members'
            ? { kind: 'new_members', withinDays: form.days }
            : form.audience === 'inactive'
              ? { kind: 'inactive', days: form.days }
              : form.audience === 'segment'
                ? { kind: 'segment', segmentId: form.segmentId }
                : { kind: 'everyone' },
    trigger: {
      kind: form.trigger,
      category: form.category,
      reference: form.reference,
      actionType: form.actionType,
      moment: form.moment,
    },
    reward: { kind: form.reward, points: form.amount, pointsPerUnit: form.amount, coefficient: form.amount },
    places: { pointOfSaleIds: form.pointOfSaleId ? [form.pointOfSaleId] : [] },
    startsAt: form.startsAt,
    endsAt: form.endsAt,
    timeZone: form.timeZone,
    budgetPoints: form.budgetPoints,
    holdoutPercent: form.holdoutPercent,
    pendingDays: form.pendingDays,
    fundingSourceId: form.fundingSourceId,
    basket: {
      partnerId: options?.partners[0]?.id,
      lines: [
        { reference: 'SAMPLE-1', category: form.category || 'sample', quantity: 1, unitPriceCents: 4_000 },
        { reference: 'SAMPLE-2', category: 'other', quantity: 1, unitPriceCents: 1_000 },
      ],
    },
  });

  async function send(intent: 'preview' | 'save' | 'schedule') {
    setSending(true);
    const data = new FormData();
    data.append('campaign', JSON.stringify(campaign()));
    data.append('intent', intent);
    try {
      const response = await ask(data);
      const answer = response.data as {
        errors?: Errors;
        preview?: Preview;
        redirectUrl?: string;
        notice?: Parameters<typeof addNotice>[0];
      };
      if (answer.preview !== undefined) setPreview(answer.preview);
      setErrors(answer.errors ?? {});
      if (answer.errors && Object.keys(answer.errors).length > 0) {
        addNotice({ message: 'Please correct the highlighted fields', type: 'error' });
        const first = Object.keys(answer.errors)[0]!;
        setStep(
          first.startsWith('audience') || first === 'name'
            ? 0
            : first.startsWith('trigger') || first.startsWith('places')
              ? 1
              : first.startsWith('reward')
                ? 2
                : 3,
        );
      }
      if (answer.notice) addNotice(answer.notice);
      if (answer.redirectUrl) navigate(answer.redirectUrl);
    } finally {
      setSending(false);
    }
  }

  useEffect(() => {
    if (step === 4) void send('preview');
  }, [step]);

  if (!options) return <Text>Loading…</Text>;
  const summary = {
    audience:
      form.audience === 'tiers'
        ? `members of ${options.tiers.find((t) => t.code === form.tierCode)?.name ?? 'a tier'}`
        : form.audience === 'partners'
          ? `members known to ${options.partners.find((p) => p.id === form.partnerId)?.name ?? 'a partner'}`
          : form.audience === 'new_members'
            ? `members who joined in the last ${form.days} days`
            : form.audience === 'inactive'
              ? `members inactive for ${form.days} days`
              : form.audience === 'segment'
                ? `members of the segment ${options.segments.find((s) => s.id === form.segmentId)?.name ?? ''} when they buy`
                : 'every member',
    trigger:
      form.trigger === 'category'
        ? `buys in ${form.category}`
        : form.trigger === 'product'
          ? `buys ${form.reference}`
          : form.trigger === 'action'
            ? form.actionType.replace('_', ' ')
            : form.trigger === 'visit'
              ? 'visits or buys'
              : form.trigger === 'moment'
                ? `reaches a key moment (${form.moment.replace('_', ' ')})`
                : 'buys anything',
    reward:
      form.reward === 'multiplier'
        ? `×${form.amount} the points`
        : form.reward === 'points_per_unit'
          ? `${form.amount} points per euro (or item)`
          : `${form.amount} points`,
  };
  const error = (key: string) => errors[key]?.message;
  const limits = options.guardrails;
  const limit = !limits
    ? undefined
    : form.reward === 'multiplier'
      ? `The operator allows up to ×${limits.partnerCampaignMaxMultiplier}.`
      : form.reward === 'points_per_unit'
        ? `The operator allows up to ${limits.partnerCampaignMaxPointsPerUnit} points per euro (or item).`
        : `The operator allows up to ${limits.partnerCampaignMaxPoints} points.`;
  const rewardLabel =
    form.reward === 'multiplier'
      ? 'Multiplier (2 doubles the points)'
      : form.reward === 'points_per_unit'
        ? 'Points per euro (or per item)'
        : 'Points';

  return (
    <Box variant="card" data-testid="campaign-builder">
      <H3>{editing ? `Edit ${editing.params.name}` : 'New campaign'}</H3>
      <Text mb="lg">
        Step {step + 1} of {steps.length}: {steps[step]}
      </Text>
      {step === 0 ? (
        <Box>
          <Field id="name" label="Name members and staff will see" value={form.name} onChange={set('name')} error={error('name')} />
          <Choice
            id="audience"
            label="Who is it for?"
            value={form.audience}
            onChange={set('audience')}
            error={error('audience.kind')}
            options={[
              ['everyone', 'Every member'],
              ['tiers', 'Members of a tier'],
              ['partners', 'Members known to a partner'],
              ['new_members', 'New members (joined in the last days)'],
              ['inactive', 'Members inactive for some days'],
              ['segment', 'Members of a saved segment'],
            ]}
          />
          {form.audience === 'tiers' ? (
            <Choice
              id="tier"
              label="Tier"
              value={form.tierCode}
              onChange={set('tierCode')}
              error={error('audience.tierCodes')}
              options={options.tiers.map((t) => [t.code, t.name])}
            />
          ) : null}
          {form.audience === 'partners' ? (
            <Choice
              id="partner"
              label="Partner"
              value={form.partnerId}
              onChange={set('partnerId')}
              error={error('audience.partnerIds')}
              options={options.partners.map((p) => [p.id, p.name])}
            />
          ) : null}
          {form.audience === 'segment' ? (
            <Box data-testid="segment-picker">
              <Choice
                id="segment"
                label="Segment"
                value={form.segmentId}
                onChange={set('segmentId')}
                error={error('audience.segmentId')}
                options={
                  options.segments.length > 0
                    ? options.segments.map((s) => [s.id, `${s.name} — ${s.size} ${s.size === 1 ? 'member' : 'members'} today`])
                    : [['', 'No segment yet: make one under Members & care → Segments']]
                }
              />
              <Text variant="sm" mb="lg">
                Checked live: each member is looked at when their purchase or action is recorded, so who joins or leaves the segment
                afterwards gets or stops getting the campaign. Nobody is copied in advance.
              </Text>
            </Box>
          ) : null}
          {form.audience === 'new_members' || form.audience === 'inactive' ? (
            <Field
              id="days"
              label="Days"
              value={form.days}
              onChange={set('days')}
              error={error('audience.withinDays') ?? error('audience.days')}
            />
          ) : null}
        </Box>
      ) : null}
      {step === 1 ? (
        <Box>
          <Choice
            id="trigger"
            label="What does the member do?"
            value={form.trigger}
            onChange={set('trigger')}
            error={error('trigger.kind') ?? error('trigger')}
            options={[
              ['purchase_amount', 'Buys anything (by the amount)'],
              ['category', 'Buys in a category'],
              ['product', 'Buys a product'],
              ['visit', 'Visits or buys'],
              ['action', 'Does an action (a review, a referral…)'],
              ['moment', 'Reaches a key moment (first purchase, new tier…)'],
            ]}
          />
          {form.trigger !== 'moment' ? (
            <Choice
              id="pointOfSale"
              label="Where does it count?"
              value={form.pointOfSaleId}
              onChange={set('pointOfSaleId')}
              error={error('places.pointOfSaleIds') ?? error('places.partnerIds')}
              options={[
                ['', options.partners.length === 1 ? `At every store of ${options.partners[0]!.name}` : 'Everywhere'],
                ...options.pointsOfSale.map((s): [string, string] => [s.id, `${s.name} (${s.partner})`]),
              ]}
            />
          ) : null}
          {form.trigger === 'category' ? (
            <Choice
              id="category"
              label="Category (seen in the last 90 days)"
              value={form.category}
              onChange={set('category')}
              error={error('trigger.category')}
              options={options.categories.map((c) => [c, c])}
            />
          ) : null}
          {form.trigger === 'product' ? (
            <Field
              id="reference"
              label="Product reference"
              value={form.reference}
              onChange={set('reference')}
              error={error('trigger.reference')}
            />
          ) : null}
          {form.trigger === 'action' ? (
            <Choice
              id="actionType"
              label="Action"
              value={form.actionType}
              onChange={set('actionType')}
              error={error('trigger.actionType')}
              options={options.actionTypes.map((a) => [a, a.replace('_', ' ')])}
            />
          ) : null}
          {form.trigger === 'moment' ? (
            <Choice
              id="moment"
              label="Key moment"
              value={form.moment}
              onChange={set('moment')}
              error={error('trigger.moment')}
              options={[
                ['registration', 'Joining the program'],
                ['first_purchase', 'The first purchase'],
                ['tier_upgrade', 'Reaching a new tier'],
              ]}
            />
          ) : null}
        </Box>
      ) : null}
      {step === 2 ? (
        <Box>
          <Choice
            id="reward"
            label="What does the member get?"
            value={form.reward}
            onChange={set('reward')}
            error={error('reward.kind') ?? error('reward')}
            options={[
              ['multiplier', 'More points: a multiplier (a booster)'],
              ['points_per_unit', 'Points per euro or per item'],
              ['fixed_points', 'A fixed number of points'],
              ['bonus', 'A bonus at the key moment'],
            ]}
          />
          <Field
            id="amount"
            label={rewardLabel}
            help={limit}
            value={form.amount}
            onChange={set('amount')}
            error={error('reward.coefficient') ?? error('reward.points') ?? error('reward.pointsPerUnit')}
          />
        </Box>
      ) : null}
      {step === 3 ? (
        <Box>
          <Field
            id="startsAt"
            type="datetime-local"
            label={`Starts (${form.timeZone}); empty: when scheduled`}
            value={form.startsAt}
            onChange={set('startsAt')}
            error={error('startsAt')}
          />
          <Field
            id="endsAt"
            type="datetime-local"
            label={`Ends (${form.timeZone}); empty: no end`}
            value={form.endsAt}
            onChange={set('endsAt')}
            error={error('endsAt') ?? error('timeZone')}
          />
          <Field
            id="budgetPoints"
            label="Budget in points; empty: none"
            help="Spent, the campaign pauses itself and you are told."
            value={form.budgetPoints}
            onChange={set('budgetPoints')}
            error={error('budgetPoints')}
          />
          <Choice
            id="fundingSourceId"
            label="Paid by"
            value={form.fundingSourceId}
            onChange={set('fundingSourceId')}
            error={error('fundingSourceId')}
            options={[
              ['', 'The wallet of the store where members earn'],
              ...options.fundingSources.map((f): [string, string] => [
                f.id,
                `${f.name} — ${new Intl.NumberFormat('en').format(f.remaining)} points left`,
              ]),
            ]}
          />
          <Field
            id="holdoutPercent"
            label="Holdout: share of the audience kept out to measure the effect (0–50 %)"
            value={form.holdoutPercent}
            onChange={set('holdoutPercent')}
            error={error('holdoutPercent')}
          />
          <Field
            id="pendingDays"
            label="Points pending for (days, 0–90); empty: the program's return window"
            help="A purchase's points wait this long before the member can spend them; a refund in that time cancels them."
            value={form.pendingDays}
            onChange={set('pendingDays')}
            error={error('pendingDays')}
          />
        </Box>
      ) : null}
      {step === 4 ? (
        <Box data-testid="campaign-review">
          <H5>{form.name || 'Unnamed campaign'}</H5>
          <Box as="ul" mb="lg" data-testid="campaign-summary" style={{ paddingLeft: 20, lineHeight: 1.8 }}>
            <li>For: {summary.audience}</li>
            <li>When the member: {summary.trigger}</li>
            <li>They get: {summary.reward}</li>
            <li>
              From {form.startsAt ? form.startsAt.replace('T', ' ') : 'when scheduled'} to{' '}
              {form.endsAt ? form.endsAt.replace('T', ' ') : 'no end'} ({form.timeZone})
            </li>
            <li>
              Budget: {form.budgetPoints ? `${form.budgetPoints} points, then it pauses itself` : 'none'}; holdout{' '}
              {form.holdoutPercent || 0} %; points pending{' '}
              {form.pendingDays === '' ? 'for the program’s return window' : `${form.pendingDays} days`}
            </li>
            <li>
              Paid by:{' '}
              {options.fundingSources.find((f) => f.id === form.fundingSourceId)?.name ?? 'the wallet of the store where members earn'}
            </li>
          </Box>
          {limits?.partnerCampaignsNeedApproval ? (
            <MessageBox variant="info" mb="lg">
              Once scheduled, it waits for the operator’s approval before it runs; if they turn it down, their reason shows on the
              campaign’s page.
            </MessageBox>
          ) : null}
          {preview ? (
            <MessageBox variant="info" mb="lg" data-testid="campaign-preview">
              {`A basket of €40 in ${form.category || 'the category'} and €10 of other things would earn ${preview.basket.points} points, ${preview.basket.campaignPoints} of them from this campaign, because: `}
              {preview.basket.explanation.map((e) => `${e.rule} ${e.points > 0 ? '+' : ''}${e.points} (${e.reason})`).join('; ')}.
              {` Audience today: ${preview.audienceSize ?? 'depends on each member’s tier'} members. At the last 30 days’ pace it would give about ${preview.pointsPerDay} points a day`}
              {preview.budgetDays !== null ? `, spending its budget in about ${preview.budgetDays} days.` : '.'}
            </MessageBox>
          ) : (
            <Text>Working out the preview…</Text>
          )}
        </Box>
      ) : null}
      <Box flex mt="xl" style={{ gap: 8 }}>
        {step > 0 ? (
          <Button type="button" onClick={() => setStep(step - 1)}>
            Back
          </Button>
        ) : null}
        {step < steps.length - 1 ? (
          <Button type="button" variant="contained" onClick={() => setStep(step + 1)}>
            Next
          </Button>
        ) : (
          <>
            <Button type="button" onClick={() => void send('save')} disabled={sending}>
              Save as draft
            </Button>
            <Button type="button" variant="contained" onClick={() => void send('schedule')} disabled={sending}>
              Schedule
            </Button>
          </>
        )}
      </Box>
    </Box>
  );
}
