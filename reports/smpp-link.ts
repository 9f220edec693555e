import { isIP } from 'node:net';
import smpp from 'smpp';
import type { SmppEndpoint } from './sms-url.js';

/** The connection went away before the SMSC answered: the request may be tried again on a new bind. */
export class SmppConnectionLost extends Error {}

// What the statuses a sender meets most often mean, for the person reading the error.
const statusMeanings: Record<string, string> = {
  ESME_RINVPASWD: 'invalid password',
  ESME_RINVSYSID: 'invalid system_id',
  ESME_RBINDFAIL: 'bind failed',
  ESME_RALYBND: 'already bound',
  ESME_RINVBNDSTS: 'not bound to send',
  ESME_RMSGQFUL: 'message queue full',
  ESME_RTHROTTLED: 'throttled: too many messages at once',
  ESME_RINVDSTADR: 'invalid destination address',
  ESME_RINVSRCADR: 'invalid source address (SMS_FROM)',
  ESME_RINVMSGLEN: 'invalid message length',
  ESME_RINVDCS: 'invalid data coding',
  ESME_RSUBMITFAIL: 'submit failed',
  ESME_RSYSERR: 'system error at the SMSC',
};

function describeStatus(status: number): string {
  const name = Object.entries(smpp.errors).find(([, code]) => code === status)?.[0];
  if (!name) return `status 0x${status.toString(16).padStart(8, '0')}`;
  return statusMeanings[name] ? `${name} (${statusMeanings[name]})` : name;
}

export interface SmppTimeouts {
  /** How long the SMSC has to answer a request (and to accept the connection). */
  answerTimeoutMs: number;
  /** How often an idle bind is kept open with enquire_link. */
  keepAliveMs: number;
}

/** A bound SMPP session: requests and their answers, until the connection goes. */
export interface SmppLink {
  /** False once the connection is gone or going: a new bind is needed. */
  readonly open: boolean;
  /** Resolves with the SMSC's answer; rejects when it refuses (naming the status), stays silent, or the connection is lost. */
  request(command: string, fields?: Record<string, unknown>): Promise<smpp.PDU>;
  /** Unbinds and closes. */
  close(): void;
}

/** Connects to the SMSC and binds as a transmitter (Tessera only sends). */
export async function bindTransmitter(endpoint: SmppEndpoint, { answerTimeoutMs, keepAliveMs }: SmppTimeouts): Promise<SmppLink> {
  const peer = `${endpoint.host}:${endpoint.port}`;
  const session = smpp.connect({
    host: endpoint.host,
    port: endpoint.port,
    tls: endpoint.tls,
    servername: endpoint.tls && !isIP(endpoint.host) ? endpoint.host : undefined,
  });
  let open = true;
  let keepAlive: NodeJS.Timeout | undefined = undefined;
  const pending = new Set<(error: Error) => void>();

  const lose = (reason: string, graceful = false) => {
    if (!open) return;
    open = false;
    clearInterval(keepAlive);
    for (const fail of pending)
      fail(new SmppConnectionLost(`The connection to the SMSC at ${peer} was lost before it answered: ${reason}`));
    pending.clear();
    if (graceful) session.close();
    else session.destroy();
  };

  const request = (command: string, fields: Record<string, unknown> = {}, what = command) =>
    new Promise<smpp.PDU>((resolve, reject) => {
      if (!open) return reject(new SmppConnectionLost(`The connection to the SMSC at ${peer} is closed`));
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => {
        pending.delete(fail);
        reject(new Error(`The SMSC at ${peer} did not answer ${command} within ${answerTimeoutMs} ms`));
        // A silent SMSC holds a broken connection: the next message binds again.
        lose(`no answer to ${command}`);
      }, answerTimeoutMs);
      pending.add(fail);
      const written = session.send(new smpp.PDU(command, fields), (answer) => {
        clearTimeout(timer);
        pending.delete(fail);
        if (answer.command_status === 0) resolve(answer);
        else reject(new Error(`The SMSC at ${peer} refused ${what}: ${describeStatus(answer.command_status)}`));
      });
      if (!written) lose('the connection is closed');
    });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Cannot reach the SMSC at ${peer}: no connection within ${answerTimeoutMs} ms`));
      lose('no connection');
    }, answerTimeoutMs);
    session.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    session.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot reach the SMSC at ${peer}: ${error.message}`));
    });
  });
  session.on('error', (error: Error) => lose(error.message));
  session.on('close', () => lose('the SMSC closed the connection'));
  session.on('pdu', (pdu: smpp.PDU) => {
    if (pdu.isResponse()) return;
    if (pdu.command === 'enquire_link') session.send(pdu.response());
    else if (pdu.command === 'unbind') {
      session.send(pdu.response());
      lose('the SMSC unbound', true);
    } else {
      session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: smpp.errors.ESME_RINVCMDID }));
    }
  });

  try {
    await request(
      'bind_transmitter',
      { system_id: endpoint.systemId, password: endpoint.password, interface_version: 0x34 },
      `the bind as ${endpoint.systemId}`,
    );
  } catch (error) {
    lose('bind refused');
    throw error;
  }
  keepAlive = setInterval(() => request('enquire_link').catch(() => undefined), keepAliveMs).unref();

  return {
    get open() {
      return open;
    },
    request: (command, fields) => request(command, fields),
    close() {
      if (!open) return;
      session.send(new smpp.PDU('unbind'));
      lose('the sender closed', true);
    },
  };
}
