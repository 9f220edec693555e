import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, Icon, Loader, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface Download {
  filename: string;
  url: string;
}

const asUrl = (base64: string, type: string) =>
  URL.createObjectURL(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type }));

/** Download on a settlement statement: the server makes its PDF and CSV, for the statements this account may see. */
export default function SettlementDownload({ resource, record }: ActionProps) {
  const [files, setFiles] = useState<{ pdf: Download; csv: Download } | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const urls: string[] = [];
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: 'download' })
      .then((response) => {
        const { pdf, csv } = response.data as unknown as Record<'pdf' | 'csv', { filename: string; base64: string }>;
        const made = {
          pdf: { filename: pdf.filename, url: asUrl(pdf.base64, 'application/pdf') },
          csv: { filename: csv.filename, url: asUrl(csv.base64, 'text/csv') },
        };
        urls.push(made.pdf.url, made.csv.url);
        setFiles(made);
      })
      .catch(() => setFailed(true));
    return () => urls.forEach((url) => URL.revokeObjectURL(url));
  }, [record?.id]);

  if (failed) return <MessageBox variant="danger" message="The statement could not be made: try again, or ask the operator." />;
  if (!files) return <Loader />;
  return (
    <Box variant="card">
      <Text mb="lg">The statement as a PDF, and as a CSV listing the ledger transfers behind each line.</Text>
      <Button as="a" href={files.pdf.url} download={files.pdf.filename} variant="contained" mr="default" data-testid="settlement-pdf-link">
        <Icon icon="Download" />
        Download {files.pdf.filename}
      </Button>
      <Button as="a" href={files.csv.url} download={files.csv.filename} variant="outlined" data-testid="settlement-csv-link">
        <Icon icon="Download" />
        Download {files.csv.filename}
      </Button>
    </Box>
  );
}
