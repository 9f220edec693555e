import React from 'react';
import { type BasePropertyProps } from 'adminjs';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Text, ValueGroup } from '@adminjs/design-system';

interface Results {
  lines: { figure: string; share: string; members: string }[];
  summary: string;
}

/** A message campaign's results on its page: a sentence, then each figure with the members behind it. */
export default function MessageCampaignResults({ record }: BasePropertyProps) {
  let results: Results;
  try {
    results = JSON.parse(String(record?.params.results ?? '')) as Results;
  } catch {
    return null;
  }
  return (
    <ValueGroup label="Results">
      <Box data-testid="message-campaign-results">
        <Text mb="md">{results.summary}</Text>
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>Figure</TableCell>
              <TableCell>Share</TableCell>
              <TableCell>Members</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {results.lines.map((line) => (
              <TableRow key={line.figure}>
                <TableCell>{line.figure}</TableCell>
                <TableCell>{line.share}</TableCell>
                <TableCell>{line.members}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
    </ValueGroup>
  );
}
