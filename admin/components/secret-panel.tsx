import React, { useRef, useState } from 'react';
import { Box, Button, Icon, Input, Label, MessageBox, Text } from '@adminjs/design-system';

interface Props {
  /** What the secret is, as the operator calls it: "API key", "signing secret". */
  what: string;
  secret: string;
  /** Where the secret goes, so that the operator knows what to do with it. */
  usage: string;
  done: { label: string; onClick: () => void };
}

/**
 * A secret the server made, shown on a screen that stays until the operator leaves it: the server
 * keeps no copy it could show again, so this screen says so and offers to copy it.
 */
export default function SecretPanel({ what, secret, usage, done }: Props) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      // Without the clipboard API (a page served over plain http), the browser's own copy command.
      field.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  }

  return (
    <Box variant="card" data-testid="shown-once">
      <MessageBox mb="xl" variant="warning" icon="AlertTriangle" message="Shown once: copy it now">
        <Text mt="default">
          Tessera does not keep this {what} in a form it can show again: once you leave this page, nobody can read it, you included. If it
          is lost, rotate it to get a new one.
        </Text>
      </MessageBox>
      <Label htmlFor="shown-once-secret">New {what}</Label>
      <Box flex style={{ gap: 8 }} mb="default">
        <Input
          id="shown-once-secret"
          ref={field}
          readOnly
          value={secret}
          data-testid="shown-once-secret"
          onFocus={(event: React.FocusEvent<HTMLInputElement>) => event.target.select()}
          style={{ flexGrow: 1, fontFamily: 'monospace' }}
        />
        <Button type="button" variant="contained" onClick={copy}>
          <Icon icon={copied ? 'Check' : 'Copy'} />
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Box>
      <Text mb="xl" variant="sm">
        {usage}
      </Text>
      <Button type="button" variant="outlined" onClick={done.onClick}>
        {done.label}
      </Button>
    </Box>
  );
}
