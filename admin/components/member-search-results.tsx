import React, { useEffect, useState } from 'react';
import { ApiClient, ViewHelpers, type ActionProps } from 'adminjs';
import { Box, H3, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Link, useLocation } from 'react-router-dom';

const api = new ApiClient();
const h = new ViewHelpers();

/** A member found (loyalty/member-search.ts). */
interface Match {
  memberId: string;
  reference: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  matchedBy: { how: 'email' | 'phone' | 'reference' | 'store_id' | 'name' | 'part_of_email'; store?: string };
  stores: { store: string; customerId: string }[];
}

const howWords = (matchedBy: Match['matchedBy']): string =>
  ({
    email: 'their email',
    phone: 'their phone',
    reference: 'their reference',
    store_id: `${matchedBy.store}'s id for them`,
    name: 'their name',
    part_of_email: 'part of their email',
  })[matchedBy.how];

/**
 * Care's search: the members whose email, phone, store id, reference or name the text is, each
 * with what tells them apart, and a link to their page.
 */
export default function MemberSearchResults({ resource }: ActionProps) {
  const location = useLocation();
  const text = new URLSearchParams(location.search).get('q')?.trim() ?? '';
  const [found, setFound] = useState<{ text: string; matches: Match[] } | null>(null);

  useEffect(() => {
    if (!text) return;
    let current = true;
    void api.resourceAction({ resourceId: resource.id, actionName: 'find', params: { q: text } }).then((response) => {
      if (current) setFound({ text, matches: (response.data as { matches: Match[] }).matches });
    });
    return () => {
      current = false;
    };
  }, [resource.id, text]);

  return (
    <Box variant="card" data-testid="member-search-results">
      <Text mb="xl" color="grey60">
        Type in the search box at the top of every page whatever the member gives: their email in any case, their phone in any spelling
        (with its country code, or as written locally), the id a store knows them by, their reference, or part of their name.
      </Text>
      {!text ? null : found?.text !== text ? (
        <Loader />
      ) : found.matches.length === 0 ? (
        <MessageBox variant="info">No member found for &quot;{text}&quot;</MessageBox>
      ) : (
        <>
          <H3>
            {found.matches.length === 1 ? 'One member' : `${found.matches.length} members`} found for &quot;{text}&quot;
          </H3>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Reference</TableCell>
                <TableCell>Email</TableCell>
                <TableCell>Phone</TableCell>
                <TableCell>Stores that know them</TableCell>
                <TableCell>Found by</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {found.matches.map((match) => (
                <TableRow key={match.memberId}>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <Link to={h.recordActionUrl({ resourceId: 'Member', recordId: match.memberId, actionName: 'show' })}>
                      {match.name ?? `Member ${match.reference}`}
                    </Link>
                  </TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{match.reference}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{match.email ?? '—'}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{match.phone ?? '—'}</TableCell>
                  <TableCell>
                    {match.stores.length === 0
                      ? 'none yet'
                      : match.stores.map((s) => (
                          <div key={`${s.store}:${s.customerId}`}>
                            {s.store} knows them as {s.customerId}
                          </div>
                        ))}
                  </TableCell>
                  <TableCell>found by {howWords(match.matchedBy)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
}
