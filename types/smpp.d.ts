// The part of `smpp` (0.5.x, untyped) that Tessera uses: sessions, the server and PDUs.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A decoded PDU: the header, then the command's fields and TLVs by their SMPP names. */
    interface PDU {
      command: string;
      command_status: number;
      sequence_number: number;
      isResponse(): boolean;
      response(fields?: Record<string, unknown>): PDU;
      [field: string]: unknown;
    }

    class Session extends EventEmitter {
      socket: Socket;
      /** False when the socket can no longer be written to. */
      send(pdu: PDU, onResponse?: (response: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host: string;
      port: number;
      tls?: boolean;
      servername?: string;
    }

    function connect(options: ConnectOptions): Session;
    function createServer(options: Record<string, unknown>, onSession: (session: Session) => void): Server;

    const PDU: new (command: string, fields?: Record<string, unknown>) => PDU;
    /** Command status names (ESME_ROK, ESME_RINVPASWD, ...) and their codes. */
    const errors: Record<string, number>;
  }

  export = smpp;
}
