import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Link } from 'react-router-dom';

interface Line {
  description: string;
  points: number;
  valueMinor: number;
  amountMinor: number;
  transfers: { id: string; name: string; link?: string }[];
}

const locale = () => (typeof navigator === 'undefined' ? undefined : navigator.language);

function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/**
 * A statement's lines on its page: each in words, its points, value and what it adds to the net,
 * and the ledger transfers behind it (links for those who may read the ledger).
 */
export default function SettlementLines({ record }: BasePropertyProps) {
  const params = record?.params ?? {};
  const currency = String(params.currency ?? 'EUR');
  const lines = JSON.parse(String(params.statementLines ?? '[]')) as Line[];
  if (lines.length === 0) return <Text mb="xl">No activity in this period.</Text>;
  return (
    <Box mb="xl" data-testid="settlement-lines">
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>Line</TableCell>
            <TableCell style={{ textAlign: 'right' }}>Points</TableCell>
            <TableCell style={{ textAlign: 'right' }}>Value</TableCell>
            <TableCell style={{ textAlign: 'right' }}>Receives (+) / pays (−)</TableCell>
            <TableCell>Transfers behind it</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {lines.map((line, index) => (
            <TableRow key={index}>
              <TableCell>{line.description}</TableCell>
              <TableCell style={{ textAlign: 'right' }}>{new Intl.NumberFormat(locale()).format(line.points)}</TableCell>
              <TableCell style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>{money(line.valueMinor, currency)}</TableCell>
              <TableCell style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>{money(line.amountMinor, currency)}</TableCell>
              <TableCell>
                <details>
                  <summary>
                    {line.transfers.length} transfer{line.transfers.length === 1 ? '' : 's'}
                  </summary>
                  {line.transfers.map((transfer) => (
                    <div key={transfer.id} style={{ fontSize: 12 }}>
                      {transfer.link ? <Link to={transfer.link}>{transfer.name}</Link> : transfer.name}
                    </div>
                  ))}
                </details>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
