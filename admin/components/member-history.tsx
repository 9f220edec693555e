import React, { useEffect, useState } from 'react';
import { ApiClient, type BasePropertyProps } from 'adminjs';
import {
  Box,
  Button,
  FormGroup,
  FormMessage,
  H4,
  Input,
  Label,
  Loader,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { styled } from '@adminjs/design-system/styled-components';

const api = new ApiClient();
const number = new Intl.NumberFormat('en');
const perPage = 10;

/** A movement as care reads it (loyalty/member-care-history.ts). */
interface Entry {
  id: string;
  at: string;
  kind: string;
  points: number;
  status: string;
  partner: string | null;
  pointOfSale: string | null;
  details: string;
}

interface Answer {
  history: { entries: Entry[]; total: number; page: number; perPage: number } | null;
  errors: Record<string, string>;
  partners: { id: string; name: string }[];
  kinds: string[];
}

interface Filter {
  kind: string;
  partner: string;
  from: string;
  to: string;
}

/** A plain select, dressed like the design system's inputs, so that it reads (and is filled) like any form field. */
type Themed = { theme: { colors: Record<string, string>; space: Record<string, string>; fontSizes: Record<string, string> } };
const Choice = styled.select`
  height: 40px;
  padding: 0 ${({ theme }: Themed) => theme.space.md};
  border: 1px solid ${({ theme }: Themed) => theme.colors.border};
  border-radius: ${({ theme }: Themed) => theme.space.xs};
  background: ${({ theme }: Themed) => theme.colors.container};
  font-size: ${({ theme }: Themed) => theme.fontSizes.md};
  width: 100%;
`;

const filterField = { width: 200, marginBottom: 0 };
const minute = (at: string) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const signed = (points: number) => `${points > 0 ? '+' : ''}${number.format(points)}`;

/**
 * The member's movements on their page: ten at a time, newest first, filtered by kind, partner and
 * days (UTC), each with the partner and point of sale it happened at and why.
 */
export default function MemberHistory({ record, resource }: BasePropertyProps) {
  const [filter, setFilter] = useState<Filter>({ kind: '', partner: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const recordId = record?.id;

  useEffect(() => {
    if (!recordId) return;
    let current = true;
    const params = Object.fromEntries(Object.entries({ ...filter, page: String(page) }).filter(([, value]) => value !== ''));
    void api.recordAction({ resourceId: resource.id, recordId, actionName: 'history', params }).then((response) => {
      if (current) setAnswer(response.data as unknown as Answer);
    });
    return () => {
      current = false;
    };
  }, [recordId, resource.id, filter, page]);

  const change = (field: keyof Filter) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setFilter({ ...filter, [field]: event.target.value });
    setPage(1);
  };
  const errors = answer?.errors ?? {};
  const history = answer?.history;
  const pages = history ? Math.max(1, Math.ceil(history.total / perPage)) : 1;

  return (
    <Box mb="xl" data-testid="member-history">
      <H4>History</H4>
      <Box
        as="form"
        flex
        flexDirection="row"
        flexWrap="wrap"
        mb="lg"
        style={{ gap: 16 }}
        onSubmit={(e: React.FormEvent) => e.preventDefault()}
      >
        <FormGroup error={!!errors.kind} style={filterField}>
          <Label htmlFor="history-kind">Kind</Label>
          <Choice id="history-kind" value={filter.kind} onChange={change('kind')}>
            <option value="">All kinds</option>
            {(answer?.kinds ?? []).map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </Choice>
          <FormMessage>{errors.kind}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.partner} style={filterField}>
          <Label htmlFor="history-partner">Partner</Label>
          <Choice id="history-partner" value={filter.partner} onChange={change('partner')}>
            <option value="">All partners</option>
            {(answer?.partners ?? []).map((partner) => (
              <option key={partner.id} value={partner.id}>
                {partner.name}
              </option>
            ))}
          </Choice>
          <FormMessage>{errors.partner}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.from} style={filterField}>
          <Label htmlFor="history-from">From</Label>
          <Input id="history-from" type="date" value={filter.from} onChange={change('from')} />
          <FormMessage>{errors.from}</FormMessage>
        </FormGroup>
        <FormGroup error={!!errors.to} style={filterField}>
          <Label htmlFor="history-to">To</Label>
          <Input id="history-to" type="date" value={filter.to} onChange={change('to')} />
          <FormMessage>{errors.to}</FormMessage>
        </FormGroup>
      </Box>
      {!answer ? (
        <Loader />
      ) : !history ? (
        <MessageBox variant="danger">Please correct the highlighted filters</MessageBox>
      ) : history.total === 0 ? (
        <MessageBox variant="info">No movement matches these filters</MessageBox>
      ) : (
        <>
          <Text mb="default" color="grey60">
            {number.format(history.total)} movements, newest first. Days are UTC.
          </Text>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Points</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Partner</TableCell>
                <TableCell>Point of sale</TableCell>
                <TableCell>Why</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {history.entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{minute(entry.at)}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{entry.kind}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap', textAlign: 'right' }}>{signed(entry.points)}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{entry.status}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{entry.partner ?? ''}</TableCell>
                  <TableCell>{entry.pointOfSale ?? ''}</TableCell>
                  <TableCell>{entry.details}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box flex flexDirection="row" alignItems="center" mt="default" style={{ gap: 16 }}>
            <Button type="button" variant="outlined" size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Newer
            </Button>
            <Text>
              Page {page} of {pages}
            </Text>
            <Button type="button" variant="outlined" size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Older
            </Button>
          </Box>
        </>
      )}
    </Box>
  );
}
