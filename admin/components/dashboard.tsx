import React, { useEffect, useRef, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H2, H5, Text } from '@adminjs/design-system';
import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);

interface Stats {
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
  scope: string;
}

const number = new Intl.NumberFormat();

function ChartCanvas({ id, build }: { id: string; build: (canvas: HTMLCanvasElement) => Chart }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = build(ref.current);
    return () => chart.destroy();
  }, [build]);
  return <canvas id={id} ref={ref} height={110} />;
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Box variant="card" flex flexDirection="column" mr="lg" mb="lg" style={{ minWidth: 200 }}>
      <Text color="grey60">{label}</Text>
      <H2 data-figure={label}>{value}</H2>
    </Box>
  );
}

/** The operator's (or a partner's) dashboard: points issued, burned and expired, and the key figures. */
export default function Dashboard() {
  const [stats, setStats] = useState<Stats | null>(null);
  useEffect(() => {
    new ApiClient().getDashboard().then((response) => setStats(response.data as Stats));
  }, []);
  if (!stats)
    return (
      <Box p="xl">
        <Text>Loading the figures…</Text>
      </Box>
    );

  const flow = (canvas: HTMLCanvasElement) =>
    new Chart(canvas, {
      type: 'line',
      data: {
        labels: stats.days,
        datasets: [
          { label: 'Issued', data: stats.issued, borderColor: '#0b6e4f', backgroundColor: '#0b6e4f' },
          { label: 'Burned', data: stats.burned, borderColor: '#3040d6', backgroundColor: '#3040d6' },
          { label: 'Expired', data: stats.expired, borderColor: '#c2410c', backgroundColor: '#c2410c' },
        ],
      },
      options: { animation: false, plugins: { legend: { position: 'bottom' } } },
    });
  const partners = (canvas: HTMLCanvasElement) =>
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: stats.topPartners.map((p) => p.name),
        datasets: [{ label: 'Points issued', data: stats.topPartners.map((p) => p.points), backgroundColor: '#0b6e4f' }],
      },
      options: { animation: false, indexAxis: 'y', plugins: { legend: { display: false } } },
    });

  return (
    <Box p="xl">
      <H2>{stats.scope}</H2>
      <Box flex flexWrap="wrap" mt="lg">
        <Figure label="Outstanding points" value={number.format(stats.outstanding)} />
        <Figure label="Active members (30 days)" value={number.format(stats.activeMembers)} />
        <Figure label="Redemption rate" value={`${Math.round(stats.redemptionRate * 100)}%`} />
        {stats.wallet && <Figure label="Wallet" value={number.format(stats.wallet.available)} />}
      </Box>
      <Box variant="card" mb="lg">
        <H5>Points per day, last 30 days</H5>
        <ChartCanvas id="points-per-day" build={flow} />
      </Box>
      <Box variant="card" mb="lg">
        <H5>{stats.invoices ? 'Points issued in 30 days' : 'Top partners, points issued in 30 days'}</H5>
        <ChartCanvas id="top-partners" build={partners} />
      </Box>
      {stats.invoices && (
        <Box variant="card">
          <H5>Latest invoices</H5>
          {stats.invoices.map((i) => (
            <Text key={i.number}>
              {i.number} — {number.format(i.points)} points — {(i.amountCents / 100).toFixed(2)} {i.currency}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
