import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);

/** Points issued, burned and expired per day as a PNG (chart.js drawn on a server-side canvas). */
export function pointsChartPng(days: string[], series: { issued: number[]; burned: number[]; expired: number[] }): Buffer {
  const canvas = createCanvas(900, 420);
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    type: 'line',
    data: {
      labels: days,
      datasets: [
        { label: 'Issued', data: series.issued, borderColor: '#0b6e4f', backgroundColor: '#0b6e4f' },
        { label: 'Burned', data: series.burned, borderColor: '#3040d6', backgroundColor: '#3040d6' },
        { label: 'Expired', data: series.expired, borderColor: '#c2410c', backgroundColor: '#c2410c' },
      ],
    },
    options: { responsive: false, animation: false, plugins: { legend: { position: 'bottom' } } },
  });
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}
