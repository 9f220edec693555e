import React, { useCallback, useEffect, useRef, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, H2, H5, Input, Label, Text } from '@adminjs/design-system';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';

Chart.register(...registerables);

interface Returning {
  customers: number;
  returning: number;
  rate: number;
}
interface RedemptionCount {
  redemptions: number;
  quantity: number;
  points: number;
}
type Figure =
  | 'points-per-day'
  | 'top-partners'
  | 'liability'
  | 'expiry-forecast'
  | 'returning-by-partner'
  | 'returning-by-cohort'
  | 'redemptions-by-reward'
  | 'redemptions-by-partner'
  | 'member-growth';

/** What the dashboard's handler answers (admin/dashboard.ts, reports/analytics.ts). */
interface Analytics {
  scope: string;
  partner: boolean;
  range: { from: string; to: string; days: number };
  definitions: Record<Figure | 'outstanding' | 'active-members' | 'redemption-rate', string>;
  flow: {
    days: string[];
    issued: number[];
    burned: number[];
    expired: number[];
    outstanding: number;
    activeMembers: number;
    redemptionRate: number;
    topPartners: { name: string; points: number }[];
    wallet?: { available: number };
    invoices?: { number: string; points: number; amountCents: number; currency: string; createdAt: string }[];
  };
  liability: {
    points: number;
    funders: { funder: string; points: number; pricePerPoint: number | null; money: number | null; currency: string | null }[];
    money: { currency: string; minor: number }[];
  };
  expiry: { months: string[]; funders: { funder: string; points: number[] }[]; total: number[]; neverExpire: number };
  repeat: { all: Returning; byPartner: ({ partner: string } & Returning)[]; byCohort: ({ cohort: string } & Returning)[] };
  redemptions: { byReward: ({ reward: string } & RedemptionCount)[]; byPartner: ({ partner: string } & RedemptionCount)[] };
  growth: { bucket: 'day' | 'week'; starts: string[]; added: number[]; total: number[] };
}

type Query = { preset?: string; from?: string; to?: string };

const number = new Intl.NumberFormat('en');
const today = () => new Date().toISOString().slice(0, 10);
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const digitsOf = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
const money = (minor: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** digitsOf(currency));
const perPoint = (minor: number, currency: string) =>
  new Intl.NumberFormat('en', {
    style: 'currency',
    currency,
    minimumFractionDigits: digitsOf(currency) + 2,
    maximumFractionDigits: digitsOf(currency) + 2,
  }).format(minor / 10 ** digitsOf(currency));
const palette = ['#0b6e4f', '#3040d6', '#c2410c', '#7c3aed', '#0e7490', '#be185d', '#4d7c0f', '#92400e'];

function ChartCanvas({ id, config }: { id: string; config: ChartConfiguration }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, {
      ...config,
      options: { animation: false, maintainAspectRatio: true, aspectRatio: 2.4, ...config.options },
    });
    return () => chart.destroy();
  }, [config]);
  return <canvas id={id} ref={ref} />;
}

/** The (?) beside a figure's name: its definition on hover. */
function Definition({ text }: { text: string }) {
  const circled = {
    cursor: 'help',
    display: 'inline-block',
    width: 16,
    height: 16,
    lineHeight: '16px',
    borderRadius: 8,
    border: '1px solid #9ca3af',
    color: '#6b7280',
    fontSize: 11,
    textAlign: 'center' as const,
    marginLeft: 6,
    verticalAlign: 'middle',
  };
  return (
    <span title={text} aria-label={text} data-definition style={circled}>
      ?
    </span>
  );
}

function Headline({ label, value, definition, note }: { label: string; value: string; definition: string; note?: string }) {
  return (
    <Box variant="card" p="lg" flex flexDirection="column" mr="lg" mb="lg" style={{ minWidth: 210 }} title={definition}>
      <Text color="grey60">
        {label}
        <Definition text={definition} />
      </Text>
      <H2 data-figure={label} mb="sm">
        {value}
      </H2>
      {note && <Text color="grey60">{note}</Text>}
    </Box>
  );
}

function Panel(props: { figure: Figure; title: string; definition: string; csv: string; children: React.ReactNode }) {
  return (
    <Box variant="card" p="lg" data-panel={props.figure} style={{ minWidth: 0 }}>
      <Box flex justifyContent="space-between" alignItems="baseline">
        <H5 title={props.definition}>
          {props.title}
          <Definition text={props.definition} />
        </H5>
        <a href={props.csv} download data-csv={props.figure} style={{ whiteSpace: 'nowrap', marginLeft: 12 }}>
          Download CSV
        </a>
      </Box>
      {props.children}
    </Box>
  );
}

function Rows({ header, rows }: { header: string[]; rows: (string | number)[][] }) {
  const cell = { padding: '4px 8px', borderBottom: '1px solid #e5e7eb' };
  if (rows.length === 0) return <Text color="grey60">Nothing in this range.</Text>;
  return (
    <table style={{ borderCollapse: 'collapse', width: '100%', marginTop: 8, fontSize: 13 }}>
      <thead>
        <tr>
          {header.map((h, i) => (
            <th key={h} style={{ ...cell, textAlign: i === 0 ? 'left' : 'right' }}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={String(row[0])}>
            {row.map((value, i) => (
              <td key={i} style={{ ...cell, textAlign: i === 0 ? 'left' : 'right' }}>
                {typeof value === 'number' ? number.format(value) : value}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const bar = (labels: string[], datasets: { label: string; data: number[] }[], options: ChartConfiguration['options'] = {}) =>
  ({
    type: 'bar',
    data: { labels, datasets: datasets.map((d, i) => ({ ...d, backgroundColor: palette[i % palette.length] })) },
    options: { plugins: { legend: { display: datasets.length > 1, position: 'bottom' } }, ...options },
  }) as ChartConfiguration;

const axes = (x: string, y: string) => ({
  x: { title: { display: true, text: x } },
  y: { title: { display: true, text: y }, beginAtZero: true },
});

/** The range chooser: the last 7, 30 or 90 days, or two days; a refused range shows its message under the field. */
function RangeBar(props: { range: Analytics['range'] | null; errors: Record<string, string>; choose: (query: Query) => void }) {
  const [from, setFrom] = useState(props.range?.from ?? '');
  const [to, setTo] = useState(props.range?.to ?? '');
  useEffect(() => {
    setFrom(props.range?.from ?? '');
    setTo(props.range?.to ?? '');
  }, [props.range]);
  return (
    <Box variant="card" p="lg" mb="lg" data-range>
      <Box flex alignItems="center" mb="lg">
        <Text mr="lg">Quick ranges, up to today:</Text>
        {[7, 30, 90].map((days) => (
          <Button
            key={days}
            type="button"
            size="sm"
            mr="default"
            variant={props.range?.days === days && props.range.to === today() ? 'contained' : 'outlined'}
            onClick={() => props.choose({ preset: String(days) })}
          >
            Last {days} days
          </Button>
        ))}
      </Box>
      <Box flex alignItems="flex-start">
        <FormGroup error={!!props.errors.from} mr="lg" mb="none" style={{ width: 220 }}>
          <Label htmlFor="range-from">From (first day, UTC)</Label>
          <Input
            id="range-from"
            name="from"
            type="date"
            value={from}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setFrom(e.target.value)}
          />
          <FormMessage>{props.errors.from}</FormMessage>
        </FormGroup>
        <FormGroup error={!!props.errors.to} mr="lg" mb="none" style={{ width: 220 }}>
          <Label htmlFor="range-to">To (last day, included)</Label>
          <Input
            id="range-to"
            name="to"
            type="date"
            value={to}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setTo(e.target.value)}
          />
          <FormMessage>{props.errors.to}</FormMessage>
        </FormGroup>
        <Button type="button" variant="contained" mt="xl" onClick={() => props.choose({ from, to })}>
          Show this range
        </Button>
      </Box>
      {props.errors.preset && <FormMessage>{props.errors.preset}</FormMessage>}
    </Box>
  );
}

/** The operator's (or a partner's) analytics over a date range, each figure defined on hover and downloadable as CSV. */
export default function Dashboard() {
  const [query, setQuery] = useState<Query>({ preset: '30' });
  const [data, setData] = useState<Analytics | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const load = useCallback((asked: Query) => {
    new ApiClient()
      .getDashboard({ params: asked })
      .then((response) => {
        setErrors({});
        setQuery(asked);
        setData(response.data as Analytics);
      })
      .catch((error: { response?: { status: number; data?: { errors?: Record<string, string> } } }) => {
        setErrors(error.response?.data?.errors ?? { preset: 'The figures could not be loaded: try again in a moment' });
      });
  }, []);
  useEffect(() => load({ preset: '30' }), [load]);

  if (!data)
    return (
      <Box p="xl">
        <Text>Loading the figures…</Text>
      </Box>
    );

  const { flow, liability, expiry, repeat, redemptions, growth, definitions: defined, range } = data;
  const csv = (figure: Figure) => `${ApiClient.getBaseUrl()}/api/dashboard?${new URLSearchParams({ ...query, csv: figure }).toString()}`;
  const inRange = `${range.from} to ${range.to}`;
  const moneyHeld = liability.money.map((m) => money(m.minor, m.currency)).join(' + ') || '—';

  return (
    <Box p="xl">
      <H2 mb="sm">{data.scope}</H2>
      <Text color="grey60" mb="lg" data-range-shown>
        Figures from {range.from} to {range.to} ({range.days} days, UTC). Point to (?) for how a figure is counted.
      </Text>
      <RangeBar range={range} errors={errors} choose={load} />
      <Box flex flexWrap="wrap">
        <Headline label="Outstanding points (today)" value={number.format(flow.outstanding)} definition={defined.outstanding} />
        <Headline
          label="Liability in money (today)"
          value={moneyHeld}
          definition={defined.liability}
          note={liability.funders.some((f) => f.money === null) ? 'points the program gave itself are not priced' : undefined}
        />
        <Headline label="Active members" value={number.format(flow.activeMembers)} definition={defined['active-members']} note={inRange} />
        <Headline label="Redemption rate" value={percent(flow.redemptionRate)} definition={defined['redemption-rate']} note={inRange} />
        <Headline
          label="Repeat-purchase rate"
          value={percent(repeat.all.rate)}
          definition={defined['returning-by-cohort']}
          note={`${number.format(repeat.all.returning)} of ${number.format(repeat.all.customers)} customers came back`}
        />
        {flow.wallet && (
          <Headline
            label="Wallet (points left to issue)"
            value={number.format(flow.wallet.available)}
            definition="Points this partner bought and has not yet issued to members."
          />
        )}
      </Box>
      <Box style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(460px, 1fr))', gap: 24 }}>
        <Panel
          figure="points-per-day"
          title="Points issued, burned and expired per day"
          definition={defined['points-per-day']}
          csv={csv('points-per-day')}
        >
          <ChartCanvas
            id="points-per-day"
            config={{
              type: 'line',
              data: {
                labels: flow.days,
                datasets: [
                  { label: 'Issued', data: flow.issued, borderColor: palette[0], backgroundColor: palette[0] },
                  { label: 'Burned (spent on rewards)', data: flow.burned, borderColor: palette[1], backgroundColor: palette[1] },
                  { label: 'Expired', data: flow.expired, borderColor: palette[2], backgroundColor: palette[2] },
                ],
              },
              options: { plugins: { legend: { position: 'bottom' } }, scales: axes('day (UTC)', 'points') },
            }}
          />
        </Panel>
        <Panel
          figure="top-partners"
          title={data.partner ? 'Points issued in the range' : 'Top partners by points issued'}
          definition={defined['top-partners']}
          csv={csv('top-partners')}
        >
          <ChartCanvas
            id="top-partners"
            config={bar(
              flow.topPartners.map((p) => p.name),
              [{ label: 'Points issued', data: flow.topPartners.map((p) => p.points) }],
              { indexAxis: 'y', scales: axes('points issued', '') },
            )}
          />
        </Panel>
        <Panel figure="liability" title="Liability per funder (today)" definition={defined.liability} csv={csv('liability')}>
          <ChartCanvas
            id="liability"
            config={bar(
              liability.funders.map((f) => f.funder),
              [{ label: 'Points held by members', data: liability.funders.map((f) => f.points) }],
              { indexAxis: 'y', scales: axes('points held by members', '') },
            )}
          />
          <Rows
            header={['Funder', 'Points held', 'Price paid per point', 'Value at that price']}
            rows={liability.funders.map((f) => [
              f.funder,
              f.points,
              f.pricePerPoint === null || !f.currency ? 'not bought' : perPoint(f.pricePerPoint, f.currency),
              f.money === null || !f.currency ? '—' : money(f.money, f.currency),
            ])}
          />
        </Panel>
        <Panel
          figure="expiry-forecast"
          title="Points expiring per month ahead"
          definition={defined['expiry-forecast']}
          csv={csv('expiry-forecast')}
        >
          <ChartCanvas
            id="expiry-forecast"
            config={bar(
              expiry.months,
              expiry.funders.map((f) => ({ label: f.funder, data: f.points })),
              { scales: { ...axes('month (UTC)', 'points expiring'), x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
            )}
          />
          <Text color="grey60" mt="sm">
            {number.format(expiry.funders.length === 0 ? 0 : expiry.total.reduce((a, b) => a + b, 0))} points expire in the next 12 months;{' '}
            {number.format(expiry.neverExpire)} points held never expire.
          </Text>
        </Panel>
        <Panel
          figure="returning-by-partner"
          title="Returning customers per partner"
          definition={defined['returning-by-partner']}
          csv={csv('returning-by-partner')}
        >
          <ChartCanvas
            id="returning-by-partner"
            config={bar(
              repeat.byPartner.map((p) => p.partner),
              [
                { label: 'Customers', data: repeat.byPartner.map((p) => p.customers) },
                { label: 'Returning customers', data: repeat.byPartner.map((p) => p.returning) },
              ],
              { scales: axes('partner', 'members') },
            )}
          />
          <Rows
            header={['Partner', 'Customers', 'Returning', 'Repeat-purchase rate']}
            rows={repeat.byPartner.map((p) => [p.partner, p.customers, p.returning, percent(p.rate)])}
          />
        </Panel>
        <Panel
          figure="returning-by-cohort"
          title="Repeat-purchase rate per enrolment month"
          definition={defined['returning-by-cohort']}
          csv={csv('returning-by-cohort')}
        >
          <ChartCanvas
            id="returning-by-cohort"
            config={bar(
              repeat.byCohort.map((c) => c.cohort),
              [{ label: 'Repeat-purchase rate (%)', data: repeat.byCohort.map((c) => Math.round(c.rate * 1000) / 10) }],
              { scales: { ...axes('month the members enrolled in', 'repeat-purchase rate (%)'), y: { min: 0, max: 100 } } },
            )}
          />
          <Rows
            header={['Enrolled in', 'Customers', 'Returning', 'Repeat-purchase rate']}
            rows={repeat.byCohort.map((c) => [c.cohort, c.customers, c.returning, percent(c.rate)])}
          />
        </Panel>
        <Panel
          figure="redemptions-by-reward"
          title="Redemptions by reward"
          definition={defined['redemptions-by-reward']}
          csv={csv('redemptions-by-reward')}
        >
          <Rows
            header={['Reward', 'Redemptions', 'Rewards handed over', 'Points spent']}
            rows={redemptions.byReward.map((r) => [r.reward, r.redemptions, r.quantity, r.points])}
          />
        </Panel>
        <Panel
          figure="redemptions-by-partner"
          title="Redemptions by partner"
          definition={defined['redemptions-by-partner']}
          csv={csv('redemptions-by-partner')}
        >
          <Rows
            header={['Redeemed through', 'Redemptions', 'Rewards handed over', 'Points spent']}
            rows={redemptions.byPartner.map((r) => [r.partner, r.redemptions, r.quantity, r.points])}
          />
        </Panel>
        <Panel
          figure="member-growth"
          title={data.partner ? `New customers per ${growth.bucket}` : `New members per ${growth.bucket}`}
          definition={defined['member-growth']}
          csv={csv('member-growth')}
        >
          <ChartCanvas
            id="member-growth"
            config={{
              type: 'bar',
              data: {
                labels: growth.starts,
                datasets: [
                  {
                    type: 'bar',
                    label: data.partner ? 'New customers' : 'New members',
                    data: growth.added,
                    backgroundColor: palette[0],
                    yAxisID: 'y',
                  },
                  {
                    type: 'line',
                    label: 'Total to date',
                    data: growth.total,
                    borderColor: palette[1],
                    backgroundColor: palette[1],
                    yAxisID: 'total',
                  },
                ],
              },
              options: {
                plugins: { legend: { position: 'bottom' } },
                scales: {
                  x: { title: { display: true, text: growth.bucket === 'day' ? 'day (UTC)' : 'week starting (UTC)' } },
                  y: { title: { display: true, text: 'new' }, beginAtZero: true },
                  total: { position: 'right', title: { display: true, text: 'total to date' }, beginAtZero: true },
                },
              },
            }}
          />
        </Panel>
      </Box>
      {flow.invoices && (
        <Box variant="card" mt="lg">
          <H5>Latest invoices</H5>
          {flow.invoices.map((i) => (
            <Text key={i.number}>
              {i.number} — {number.format(i.points)} points — {(i.amountCents / 100).toFixed(2)} {i.currency}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
