// Expect: 100-continue: an uploading client is told to go ahead only when its request could succeed, so an
// unauthenticated, oversized or (large JSON, issue #12.7) refused-for-now upload is answered before a body byte moves.
import type { IncomingMessage, Server } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Requests that asked to continue and may: granted once they reach body parsing (after auth and the gates). */
const pending = new WeakSet<IncomingMessage>();

export function guardContinue(server: Server, maxRequestBytes: number): void {
  server.on('checkContinue', (req, res) => {
    const len = Number(req.headers['content-length']);
    const tooBig = Number.isFinite(len) && len > maxRequestBytes;
    const h = req.headers.authorization;
    const hasToken = typeof h === 'string' && /^Bearer[ \t]+\S+/i.test(h);
    if (!tooBig && hasToken) pending.add(req);
    // Either way the normal pipeline answers: the route (or auth, or the size check) decides the status.
    server.emit('request', req, res);
  });
}

/**
 * preParsing hook for the whole app: the body is about to be read, so every onRequest check (authentication, the
 * large-JSON gate) has passed — now the client may send it.
 */
export async function grantContinue(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (pending.delete(req.raw)) reply.raw.writeContinue();
}
