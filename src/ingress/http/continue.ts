// Expect: 100-continue: an uploading client is told to go ahead only when its request could succeed, so an
// unauthenticated or oversized upload is answered before a single body byte crosses the network.
import type { Server } from 'node:http';

export function guardContinue(server: Server, maxRequestBytes: number): void {
  server.on('checkContinue', (req, res) => {
    const len = Number(req.headers['content-length']);
    const tooBig = Number.isFinite(len) && len > maxRequestBytes;
    const h = req.headers.authorization;
    const hasToken = typeof h === 'string' && /^Bearer[ \t]+\S+/i.test(h);
    if (!tooBig && hasToken) res.writeContinue();
    // Either way the normal pipeline answers: the route (or auth, or the size check) decides the status.
    server.emit('request', req, res);
  });
}
