import React, { useRef, useState } from 'react';
import { Box, Button, H5, Icon, Label, MessageBox, Modal, Text } from '@adminjs/design-system';

/** A step of how the value is used, with the code that does it when there is some. */
export interface UsageStep {
  text: string;
  code?: string;
}

interface Props {
  /** What the value is, as the operator calls it: "API key", "signing secret", "earn widget snippet". */
  what: string;
  /** The value to copy: a secret the server made, or a snippet to paste. */
  secret: string;
  /** Where the value goes, so that whoever copies it knows what to do with it. */
  usage: string;
  /** How it is used, step by step (the widget's token flow). */
  steps?: UsageStep[];
  /** A secret the server keeps no copy of (the default); a snippet can be shown again. */
  shownOnce?: boolean;
  done: { label: string; onClick: () => void };
}

/** A value with its own copy button: the browser's clipboard, or its copy command over plain http. */
function CopyableValue({ id, value, label, testId }: { id: string; value: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      field.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  }
  // Code keeps its lines as written (scrolling sideways), so what is copied reads as what is shown.
  const rows = Math.min(10, value.split('\n').length);
  return (
    <Box mb="lg">
      {label && <Label htmlFor={id}>{label}</Label>}
      <Box flex style={{ gap: 8 }} alignItems="flex-start">
        <textarea
          id={id}
          ref={field}
          readOnly
          wrap="off"
          value={value}
          rows={rows}
          aria-label={label ?? 'Code to copy'}
          data-testid={testId}
          onFocus={(event) => event.target.select()}
          style={{
            flexGrow: 1,
            fontFamily: 'monospace',
            fontSize: 13,
            lineHeight: 1.5,
            padding: 8,
            resize: 'none',
            overflowX: 'auto',
            border: '1px solid #c0c0ca',
            borderRadius: 4,
            background: '#fff',
          }}
        />
        <Button type="button" variant="contained" onClick={copy}>
          <Icon icon={copied ? 'Check' : 'Copy'} />
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Box>
    </Box>
  );
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A dialog that shows a value to copy and stays until it is closed: a secret the server made (it
 * keeps no copy it could show again, and says so) or the earn widget's snippet with its token flow.
 */
export default function SecretPanel({ what, secret, usage, steps = [], shownOnce = true, done }: Props) {
  return (
    <Modal
      // Wide enough for a key on one line and the lines of a snippet; it scrolls on a small screen.
      {...({ style: { width: 'min(860px, 94vw)', maxHeight: '92vh', overflowY: 'auto' } } as object)}
      title={shownOnce ? `New ${what}` : capitalised(what)}
      icon={shownOnce ? 'Key' : 'Code'}
      onClose={done.onClick}
      buttons={[{ label: done.label, variant: 'outlined', onClick: done.onClick, type: 'button' }]}
    >
      <Box data-testid="shown-once" role="dialog" aria-label={shownOnce ? `New ${what}` : capitalised(what)}>
        {shownOnce && (
          <MessageBox mb="xl" variant="warning" icon="AlertTriangle" message="Shown once: copy it now">
            <Text mt="default">
              Tessera does not keep this {what} in a form it can show again: once you close this dialog, nobody can read it, you included.
              If it is lost, rotate it to get a new one.
            </Text>
          </MessageBox>
        )}
        <CopyableValue
          id="shown-once-secret"
          value={secret}
          label={shownOnce ? `New ${what}` : capitalised(what)}
          testId="shown-once-secret"
        />
        <Text mb="lg" variant="sm">
          {usage}
        </Text>
        {steps.length > 0 && <H5 mb="default">How it works</H5>}
        {steps.map((step, index) => (
          <Box key={index} mb="lg">
            <Text variant="sm" mb="sm">
              <strong>{index + 1}.</strong> {step.text}
            </Text>
            {step.code && <CopyableValue id={`step-${index}`} value={step.code} />}
          </Box>
        ))}
      </Box>
    </Modal>
  );
}
