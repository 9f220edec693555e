/** Where and as whom Tessera binds to its SMSC. */
export interface SmppEndpoint {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
}

const shape = 'smpp://system_id:password@host:2775 (or smpps:// for TLS)';
/** SMPP's registered ports: 2775 in the clear, 3550 over TLS. */
const defaultPorts = { 'smpp:': 2775, 'smpps:': 3550 } as const;

/** Reads SMS_URL; throws an error saying what the URL should look like. */
export function parseSmsUrl(smsUrl: string): SmppEndpoint {
  let url: URL;
  try {
    url = new URL(smsUrl);
  } catch {
    throw new Error(`must look like ${shape}`);
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'smpps:') throw new Error(`must look like ${shape}`);
  if (url.hostname === '') throw new Error(`must name the host: ${shape}`);
  if (url.username === '' || url.password === '') throw new Error(`must name the system_id and password: ${shape}`);
  return {
    host: url.hostname,
    port: url.port === '' ? defaultPorts[url.protocol] : Number(url.port),
    tls: url.protocol === 'smpps:',
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
