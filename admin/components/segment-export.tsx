import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, H3, Text } from '@adminjs/design-system';

const api = new ApiClient();

/** What the server answers: the file to save. */
interface Download {
  filename: string;
  type: string;
  content: string;
}

/** Downloads a segment's members as CSV, as it stands now; each download is written to the audit log. */
export default function SegmentExport({ action, resource, record }: ActionProps) {
  const [size, setSize] = useState<number | null>(null);
  const [sending, setSending] = useState(false);
  const addNotice = useNotice();

  useEffect(() => {
    void api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name })
      .then((response) => setSize((response.data as unknown as { size: number }).size));
  }, []);

  async function download() {
    setSending(true);
    try {
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record!.id,
        actionName: action.name,
        data: new FormData(),
      });
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
      <H3>Export {record!.params.name}</H3>
      <Text mb="xl">
        {size === null ? 'Counting…' : `${size} ${size === 1 ? 'member is' : 'members are'} in it now.`} The file has each member&apos;s
        reference, name, email, phone, tier, points available, the day they joined and their last activity: only what you need to reach
        them. Erased members are never in it. Each download is written to the audit log.
      </Text>
      <Button type="button" variant="contained" onClick={() => void download()} disabled={sending || size === null}>
        Download the members (CSV)
      </Button>
    </Box>
  );
}
