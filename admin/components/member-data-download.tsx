import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, H3, Text } from '@adminjs/design-system';

const api = new ApiClient();

/** What the server answers: the file to save. */
interface Download {
  filename: string;
  type: string;
  content: string;
}

/**
 * Everything Tessera holds about a member, for care to send them (a request by mail): the JSON, or
 * the history as CSV. Opening the screen reads nothing; each download is asked of the server and
 * written to the audit log.
 */
export default function MemberDataDownload({ action, resource, record }: ActionProps) {
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();

  async function download(format: 'json' | 'csv') {
    setSending(true);
    const data = new FormData();
    data.append('format', format);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data });
      const answer = response.data as { download?: Download; notice?: Parameters<typeof addNotice>[0] };
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

  return (
    <Box variant="card">
      <H3>The data of {record!.params.externalId}</H3>
      <Text mb="xl">
        Everything Tessera holds about this member: profile, the stores that know them, balance and lots, the history with its reasons,
        events, redemptions, care adjustments, merges, sessions, codes sent, emails and text messages, and what stores were told by webhook.
        Send it only to the member, by a channel you checked. Each download is written to the audit log.
      </Text>
      <Box flex style={{ gap: 16 }}>
        <Button type="button" variant="contained" onClick={() => download('json')} disabled={sending}>
          Download the JSON
        </Button>
        <Button type="button" variant="outlined" onClick={() => download('csv')} disabled={sending}>
          Download the history (CSV)
        </Button>
      </Box>
    </Box>
  );
}
