import React, { useEffect, useState } from 'react';
import { ApiClient, ViewHelpers, type ActionProps } from 'adminjs';
import { Loader } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import SecretPanel, { type UsageStep } from './secret-panel.js';

const api = new ApiClient();
const h = new ViewHelpers();

/** The earn widget's snippet of a partner, in a dialog with its copy button and the token flow. */
export default function WidgetSnippet({ resource, record }: ActionProps) {
  const [snippet, setSnippet] = useState<{ html: string; usage: string; steps: UsageStep[] } | null>(null);
  const navigate = useNavigate();
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: 'widgetSnippet' })
      .then((response) => setSnippet((response.data as unknown as { snippet: typeof snippet }).snippet));
  }, [record?.id]);
  if (!snippet) return <Loader />;
  const close = () => navigate(h.recordActionUrl({ resourceId: resource.id, recordId: record!.id, actionName: 'show' }));
  return (
    <SecretPanel
      what="earn widget snippet"
      secret={snippet.html}
      usage={snippet.usage}
      steps={snippet.steps}
      shownOnce={false}
      done={{ label: 'Close', onClick: close }}
    />
  );
}
