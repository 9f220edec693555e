import React, { useState } from 'react';
import { ViewHelpers } from 'adminjs';
import { Box, Button, Icon, Input } from '@adminjs/design-system';
import { useLocation, useNavigate } from 'react-router';

const h = new ViewHelpers();

/** The URL of care's search for a text: the Members' "Find a member" page. */
export const memberSearchUrl = (text: string) =>
  h.resourceActionUrl({ resourceId: 'Member', actionName: 'find', search: `?${new URLSearchParams({ q: text.trim() })}` });

/** One box for whatever the member gave: their email, phone, a store's id for them, their reference or name. */
export default function MemberSearchBox() {
  const location = useLocation();
  const [text, setText] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const navigate = useNavigate();

  function search(event: React.FormEvent) {
    event.preventDefault();
    if (text.trim()) navigate(memberSearchUrl(text));
  }

  return (
    <Box as="form" role="search" onSubmit={search} flex flexDirection="row" alignItems="center" data-testid="member-search">
      <Input
        type="search"
        name="q"
        aria-label="Find a member"
        placeholder="Find a member: email, phone, store id, name"
        value={text}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => setText(e.target.value)}
        style={{ width: 340 }}
      />
      <Button type="submit" variant="contained" size="icon" ml="sm" aria-label="Search members" title="Search members">
        <Icon icon="Search" />
      </Button>
    </Box>
  );
}
