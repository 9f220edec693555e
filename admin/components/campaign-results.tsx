import React, { useEffect, useRef, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, H3, H5, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);

const api = new ApiClient();
const number = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

interface Group {
  label: string;
  members: number;
  visitsPerMember: number;
  purchasesPerMember: number;
  spendPerMemberCents: number;
  repeatRate: number;
}
type Lift = number | null;
interface Results {
  started: boolean;
  window: { from: string; to: string };
  currency: string;
  pointsIssued: number;
  membersReached: number;
  redemptions: { count: number; points: number; members: number; followDays: number };
  comparison: {
    kind: 'holdout' | 'previous_period';
    description: string;
    treated: Group;
    baseline: Group;
    lifts: { visits: Lift; purchases: Lift; spend: Lift; repeatRate: Lift };
  } | null;
  findings: string[];
  daily: {
    day: string;
    pointsIssued: number;
    treatedVisitsPerMember: number;
    baselineVisitsPerMember: number;
    treatedSpendPerMemberCents: number;
    baselineSpendPerMemberCents: number;
  }[];
  definitions: Record<string, string>;
}

function ChartCanvas({ id, build }: { id: string; build: (canvas: HTMLCanvasElement) => Chart }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = build(ref.current);
    return () => chart.destroy();
  }, [build]);
  return <canvas id={id} ref={ref} height={90} />;
}

/** Marks what has a definition on hover. */
const hint = (
  <span
    aria-hidden
    style={{
      display: 'inline-block',
      width: 14,
      height: 14,
      lineHeight: '12px',
      fontSize: 10,
      textAlign: 'center',
      border: '1px solid',
      borderRadius: '50%',
    }}
  >
    ?
  </span>
);

/** A key figure; its definition shows on hover. */
function Figure({ label, value, definition }: { label: string; value: string; definition: string }) {
  return (
    <Box variant="card" flex flexDirection="column" mr="lg" mb="lg" style={{ minWidth: 200 }} title={definition}>
      <Text color="grey60">
        {label} {hint}
      </Text>
      <H3 data-figure={label}>{value}</H3>
    </Box>
  );
}

const line = (labels: string[], datasets: { label: string; data: number[]; color: string }[]) => (canvas: HTMLCanvasElement) =>
  new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color })) },
    options: { animation: false, plugins: { legend: { position: 'bottom' } } },
  });

/**
 * A campaign's results: what it gave and to whom, the redemptions that followed, and whether the
 * members who got it came back more often and spent more than its holdout (or than before it).
 */
export default function CampaignResults({ action, resource, record }: ActionProps) {
  const [results, setResults] = useState<Results | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name })
      .then((response) => setResults((response.data as unknown as { results: Results }).results));
  }, [record?.id]);

  async function download() {
    setSending(true);
    const data = new FormData();
    data.append('format', 'csv');
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const answer = response.data as {
        download?: { filename: string; type: string; content: string };
        notice?: Parameters<typeof addNotice>[0];
      };
      if (answer.notice) addNotice(answer.notice);
      if (!answer.download) return;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([answer.download.content], { type: answer.download.type }));
      link.download = answer.download.filename;
      link.click();
      URL.revokeObjectURL(link.href);
    } finally {
      setSending(false);
    }
  }

  const title = (
    <Box mb="lg">
      <H3>Results of {String(record!.params.name)}</H3>
      <Text color="grey60">
        {String(record!.params.state)} · {String(record!.params.window)}
      </Text>
    </Box>
  );
  if (!results)
    return (
      <Box variant="card">
        {title}
        <Text>Counting the figures…</Text>
      </Box>
    );

  const d = results.definitions;
  const at = (value: string) =>
    new Date(value).toLocaleString('en-GB', {
      timeZone: String(record!.params.timeZone ?? 'UTC'),
      dateStyle: 'medium',
      timeStyle: 'short',
    });
  const money = (cents: number) => new Intl.NumberFormat('en', { style: 'currency', currency: results.currency }).format(cents / 100);
  const lift = (value: Lift) => (value === null ? '—' : `${number.format(value)}×`);
  const c = results.comparison;
  const labels = results.daily.map((day) => day.day);
  const versus = c?.kind === 'holdout' ? 'Holdout' : 'Before the campaign (same day of the period)';
  const rows: { label: string; definition: string; treated: string; baseline: string; lift: Lift }[] = c
    ? [
        {
          label: 'Visits per member',
          definition: d.visitsPerMember!,
          treated: number.format(c.treated.visitsPerMember),
          baseline: number.format(c.baseline.visitsPerMember),
          lift: c.lifts.visits,
        },
        {
          label: 'Purchases per member',
          definition: d.purchasesPerMember!,
          treated: number.format(c.treated.purchasesPerMember),
          baseline: number.format(c.baseline.purchasesPerMember),
          lift: c.lifts.purchases,
        },
        {
          label: 'Spend per member',
          definition: d.spendPerMember!,
          treated: money(c.treated.spendPerMemberCents),
          baseline: money(c.baseline.spendPerMemberCents),
          lift: c.lifts.spend,
        },
        {
          label: 'Repeat rate',
          definition: d.repeatRate!,
          treated: `${Math.round(c.treated.repeatRate * 100)} %`,
          baseline: `${Math.round(c.baseline.repeatRate * 100)} %`,
          lift: c.lifts.repeatRate,
        },
      ]
    : [];

  return (
    <Box variant="card">
      {title}
      {results.started && (
        <Text mb="lg" title={results.definitions.window}>
          Measured from {at(results.window.from)} to {at(results.window.to)} {hint}
        </Text>
      )}
      <Box mb="lg" data-findings>
        {results.findings.map((finding) => (
          <Text key={finding} mb="sm" style={{ fontSize: 16 }}>
            {finding}
          </Text>
        ))}
      </Box>
      {results.started && (
        <>
          <Box flex flexWrap="wrap">
            <Figure label="Points issued" value={number.format(results.pointsIssued)} definition={d.pointsIssued!} />
            <Figure label="Members reached" value={number.format(results.membersReached)} definition={d.membersReached!} />
            <Figure
              label="Redemptions that followed"
              value={`${number.format(results.redemptions.count)} (${number.format(results.redemptions.points)} points)`}
              definition={d.redemptions!}
            />
          </Box>
          {c && (
            <Box mb="xl">
              <H5 title={c.kind === 'holdout' ? d.holdout : d.previousPeriod}>
                {c.kind === 'holdout' ? 'Against the holdout' : 'Against the previous period'} {hint}
              </H5>
              <Text mb="md" color="grey60">
                {c.description}
              </Text>
              <Table data-comparison>
                <TableHead>
                  <TableRow>
                    <TableCell>Figure</TableCell>
                    <TableCell title={d.treated}>
                      {c.treated.label} ({number.format(c.treated.members)} members)
                    </TableCell>
                    <TableCell title={c.kind === 'holdout' ? d.holdout : d.previousPeriod}>
                      {c.kind === 'holdout' ? 'Holdout' : `The same members ${c.baseline.label}`} ({number.format(c.baseline.members)}{' '}
                      members)
                    </TableCell>
                    <TableCell title={d.lift}>Lift {hint}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {rows.map((row) => (
                    <TableRow key={row.label} data-row={row.label}>
                      <TableCell title={row.definition}>
                        {row.label} {hint}
                      </TableCell>
                      <TableCell>{row.treated}</TableCell>
                      <TableCell>{row.baseline}</TableCell>
                      <TableCell>{lift(row.lift)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
          <Box mb="lg">
            <H5 title={d.pointsIssued}>Points issued per day {hint}</H5>
            <ChartCanvas
              id="campaign-points"
              build={(canvas) =>
                new Chart(canvas, {
                  type: 'bar',
                  data: {
                    labels,
                    datasets: [{ label: 'Points issued', data: results.daily.map((x) => x.pointsIssued), backgroundColor: '#0b6e4f' }],
                  },
                  options: { animation: false, plugins: { legend: { display: false } } },
                })
              }
            />
          </Box>
          {c && (
            <>
              <Box mb="lg">
                <H5 title={d.visitsPerMember}>Visits per member per day {hint}</H5>
                <ChartCanvas
                  id="campaign-visits"
                  build={line(labels, [
                    { label: 'Got the campaign', data: results.daily.map((x) => x.treatedVisitsPerMember), color: '#0b6e4f' },
                    { label: versus, data: results.daily.map((x) => x.baselineVisitsPerMember), color: '#9ca3af' },
                  ])}
                />
              </Box>
              <Box mb="lg">
                <H5 title={d.spendPerMember}>
                  Spend per member per day ({results.currency}) {hint}
                </H5>
                <ChartCanvas
                  id="campaign-spend"
                  build={line(labels, [
                    { label: 'Got the campaign', data: results.daily.map((x) => x.treatedSpendPerMemberCents / 100), color: '#3040d6' },
                    { label: versus, data: results.daily.map((x) => x.baselineSpendPerMemberCents / 100), color: '#9ca3af' },
                  ])}
                />
              </Box>
            </>
          )}
          <Button type="button" variant="contained" onClick={download} disabled={sending}>
            Download the results (CSV)
          </Button>
        </>
      )}
    </Box>
  );
}
