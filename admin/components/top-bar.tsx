import React from 'react';
import { Box } from '@adminjs/design-system';
import { useSelector } from 'react-redux';
import type { ReduxState } from 'adminjs';
import MemberSearchBox from './member-search-box.js';

/**
 * AdminJS's top bar with care's member search in front, on every page, for whoever may search
 * members (the server offers them the Members' "Find a member" action; it refuses everyone else).
 */
export default function TopBar(props: { OriginalComponent?: React.ComponentType<object>; toggleSidebar?: () => void }) {
  const { OriginalComponent, ...rest } = props;
  const mayFind = useSelector((state: ReduxState) =>
    state.resources.some((resource) => resource.id === 'Member' && resource.resourceActions.some((action) => action.name === 'find')),
  );
  return (
    <Box flex flexDirection="row" alignItems="stretch" flexShrink={0}>
      {mayFind && (
        <Box flex alignItems="center" px="lg" bg="container" borderBottom="default" height="navbarHeight">
          <MemberSearchBox />
        </Box>
      )}
      <Box flexGrow={1}>{OriginalComponent && <OriginalComponent {...rest} />}</Box>
    </Box>
  );
}
