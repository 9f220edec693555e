import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import {
  Box,
  Button,
  FormGroup,
  FormMessage,
  H5,
  Input,
  Label,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';

const api = new ApiClient();
const number = new Intl.NumberFormat('en');

interface Money {
  points: number;
  valueMinor: number;
}
interface Report {
  range: { from: string; to: string };
  statement: {
    currency: string;
    pointValueMinor: number;
    opening: Money;
    closing: Money;
    lines: (Money & { label: string; transfers: number })[];
  };
  outstanding: Money & {
    currency: string;
    funders: (Money & { funder: string; byAge: Record<string, number> })[];
    byAge: (Money & { bucket: string })[];
    breakage: { rate: number; endedPoints: number; expiredPoints: number; expectedPoints: number; expectedValueMinor: number };
  };
  credit: { creditProgramId: string; program: string; currency: string; funder: string; minor: number }[];
  download: { filename: string; type: string; content: string };
  errors?: Record<string, string>;
}

const ageWords: Record<string, string> = {
  '0-3': 'Under 3 months',
  '3-6': '3–6 months',
  '6-12': '6–12 months',
  '12+': '12 months or more',
};

/** The program's liability: the movement statement of a period and what members hold now, valued in money, with a CSV. */
export default function LiabilityReport({ action, resource }: ActionProps) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function load(params: Record<string, string> = {}) {
    const response = await api.resourceAction({ resourceId: resource.id, actionName: action.name, params });
    const answer = response.data as unknown as Report;
    setErrors(answer.errors ?? {});
    if (answer.errors) return;
    setReport(answer);
    setFrom(answer.range.from);
    setTo(answer.range.to);
  }
  useEffect(() => void load(), []);

  const money = (minor: number, currency = report?.statement.currency ?? 'EUR') => {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** digits);
  };
  const signed = (points: number) => (points > 0 ? `+${number.format(points)}` : number.format(points));

  function download() {
    if (!report) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([report.download.content], { type: report.download.type }));
    link.download = report.download.filename;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <Box variant="card" data-testid="liability-report">
      <Box
        as="form"
        flex
        flexDirection="row"
        alignItems="flex-end"
        mb="xl"
        onSubmit={(event: React.FormEvent) => {
          event.preventDefault();
          void load({ from, to });
        }}
      >
        <FormGroup error={!!errors.from} mr="lg">
          <Label htmlFor="from">From (included)</Label>
          <Input id="from" type="date" value={from} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setFrom(e.target.value)} />
          <FormMessage>{errors.from}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.to} mr="lg">
          <Label htmlFor="to">To (included)</Label>
          <Input id="to" type="date" value={to} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setTo(e.target.value)} />
          <FormMessage>{errors.to}</FormMessage>
        </FormGroup>
        <FormGroup mr="lg">
          <Button type="submit" variant="contained">
            Show
          </Button>
        </FormGroup>
        <FormGroup>
          <Button type="button" variant="outlined" onClick={download} disabled={!report}>
            Download CSV
          </Button>
        </FormGroup>
      </Box>
      {!report ? (
        <Text>Counting…</Text>
      ) : (
        <>
          <H5>
            Movements from {report.range.from} to {report.range.to} (one point is worth {money(report.statement.pointValueMinor)})
          </H5>
          <Table mb="xl" data-testid="movement-statement">
            <TableHead>
              <TableRow>
                <TableCell>Line</TableCell>
                <TableCell>Transfers</TableCell>
                <TableCell>Points</TableCell>
                <TableCell>Value</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              <TableRow>
                <TableCell>
                  <strong>Opening liability</strong>
                </TableCell>
                <TableCell />
                <TableCell>{number.format(report.statement.opening.points)}</TableCell>
                <TableCell>{money(report.statement.opening.valueMinor)}</TableCell>
              </TableRow>
              {report.statement.lines.map((line) => (
                <TableRow key={line.label}>
                  <TableCell>{line.label}</TableCell>
                  <TableCell>{number.format(line.transfers)}</TableCell>
                  <TableCell>{signed(line.points)}</TableCell>
                  <TableCell>{money(line.valueMinor)}</TableCell>
                </TableRow>
              ))}
              <TableRow>
                <TableCell>
                  <strong>Closing liability</strong>
                </TableCell>
                <TableCell />
                <TableCell>
                  <strong>{number.format(report.statement.closing.points)}</strong>
                </TableCell>
                <TableCell>
                  <strong>{money(report.statement.closing.valueMinor)}</strong>
                </TableCell>
              </TableRow>
            </TableBody>
          </Table>
          <H5>Held by members now, by funder and age of the points</H5>
          <Table mb="xl" data-testid="outstanding-by-funder">
            <TableHead>
              <TableRow>
                <TableCell>Funder</TableCell>
                {report.outstanding.byAge.map((age) => (
                  <TableCell key={age.bucket}>{ageWords[age.bucket]}</TableCell>
                ))}
                <TableCell>Points</TableCell>
                <TableCell>Value</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {report.outstanding.funders.map((funder) => (
                <TableRow key={funder.funder}>
                  <TableCell>{funder.funder}</TableCell>
                  {report.outstanding.byAge.map((age) => (
                    <TableCell key={age.bucket}>{number.format(funder.byAge[age.bucket] ?? 0)}</TableCell>
                  ))}
                  <TableCell>{number.format(funder.points)}</TableCell>
                  <TableCell>{money(funder.valueMinor)}</TableCell>
                </TableRow>
              ))}
              <TableRow>
                <TableCell>
                  <strong>All funders</strong>
                </TableCell>
                {report.outstanding.byAge.map((age) => (
                  <TableCell key={age.bucket}>{number.format(age.points)}</TableCell>
                ))}
                <TableCell>
                  <strong>{number.format(report.outstanding.points)}</strong>
                </TableCell>
                <TableCell>
                  <strong>{money(report.outstanding.valueMinor)}</strong>
                </TableCell>
              </TableRow>
            </TableBody>
          </Table>
          <H5>Expected breakage</H5>
          <Text data-testid="expected-breakage" mb="lg">
            {report.outstanding.breakage.endedPoints === 0
              ? 'No lot has ended yet: the program has no history to expect breakage from.'
              : `${(report.outstanding.breakage.rate * 100).toFixed(1)}% of the ${number.format(report.outstanding.breakage.endedPoints)} points in lots that ended expired unspent. At that rate, ${number.format(report.outstanding.breakage.expectedPoints)} of the points held now (${money(report.outstanding.breakage.expectedValueMinor)}) are expected to expire.`}
          </Text>
          <H5>Store credit held by members now (money, not points)</H5>
          {report.credit.length === 0 ? (
            <Text data-testid="outstanding-credit" mb="lg">
              Members hold no store credit.
            </Text>
          ) : (
            <Table mb="xl" data-testid="outstanding-credit">
              <TableHead>
                <TableRow>
                  <TableCell>Store-credit program</TableCell>
                  <TableCell>Funder</TableCell>
                  <TableCell>Held</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.credit.map((credit) => (
                  <TableRow key={`${credit.creditProgramId}:${credit.funder}`}>
                    <TableCell>{credit.program}</TableCell>
                    <TableCell>{credit.funder}</TableCell>
                    <TableCell>{money(credit.minor, credit.currency)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
    </Box>
  );
}
