// smtp-server whose connections faxgate makes itself, so the SMTP ingress owns each one instead of patching the library.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { SMTPConnection, SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

/** How this ingress sets up each connection it makes (createSmtpIngress's Connection class). */
export type ConnectionClass = new (server: SMTPServer, socket: Socket | TLSSocket, options?: SMTPConnectionOptions | null) => SMTPConnection;

/**
 * smtp-server with the connection objects made by faxgate: connect() (the library's entry for every accepted socket)
 * builds our own subclass, so the ingress owns each connection from its start instead of patching the library's set.
 * The library still counts it (its maxClients and close() use `connections`); the ingress tracks its own by id.
 */
export class FaxgateSmtpServer extends SMTPServer {
  constructor(options: SMTPServerOptions, private readonly Connection: ConnectionClass, private readonly opened: (conn: SMTPConnection) => void) {
    super(options);
  }

  override connect(socket: Socket | TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const conn = new this.Connection(this, socket, socketOptions);
    this.connections.add(conn);
    conn.on('error', (err: Error) => this._onError(err));
    conn.on('connect', (data) => this._onClientConnect(data));
    this.opened(conn);
    conn.init();
  }
}
