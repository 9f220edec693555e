import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, Icon, Loader, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();

/**
 * Download PDF on an invoice: the server makes the document (for the invoices this account may
 * see), and the browser saves it under the invoice's number.
 */
export default function InvoicePdfDownload({ resource, record }: ActionProps) {
  const [pdf, setPdf] = useState<{ filename: string; url: string } | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let url: string | undefined;
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: 'downloadPdf' })
      .then((response) => {
        const { filename, base64 } = (response.data as unknown as { pdf: { filename: string; base64: string } }).pdf;
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
        setPdf({ filename, url });
      })
      .catch(() => setFailed(true));
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [record?.id]);

  if (failed) return <MessageBox variant="danger" message="The PDF could not be made: try again, or ask the operator." />;
  if (!pdf) return <Loader />;
  return (
    <Box variant="card">
      <Text mb="lg">Invoice {String(record!.params.number)} as a PDF: amounts in its currency, with the VAT included in the price.</Text>
      <Button as="a" href={pdf.url} download={pdf.filename} variant="contained" data-testid="invoice-pdf-link">
        <Icon icon="Download" />
        Download {pdf.filename}
      </Button>
    </Box>
  );
}
