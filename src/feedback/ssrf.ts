// SSRF guard: which resolved addresses feedback may connect to, enforced inside the socket connect (after DNS).
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/** Error code set on a refused connection so the dispatcher records `blocked` rather than `failed`. */
export const BLOCKED_CODE = 'EFAXGATE_BLOCKED';

export class BlockedAddressError extends Error {
  readonly code = BLOCKED_CODE;
  constructor(readonly host: string, readonly address: string) {
    super(`feedback to ${host} refused: ${address} is not a public address`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * True only for globally routable unicast addresses. IPv4-mapped, IPv4-translated and NAT64 (64:ff9b::/96)
 * forms are decoded to their IPv4 address and judged as that; IPv6 outside 2000::/3, 6to4, Teredo, the NAT64 local-use prefix and
 * every special range ipaddr.js knows (loopback, private, link-local, CGNAT, unique-local, multicast,
 * reserved, documentation, benchmarking, 0.0.0.0/8, broadcast, discard …) are refused.
 */
export function isPublicAddress(ip: string): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(ip.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const range = v6.range();
    const p = v6.parts;
    const embedsV4 = range === 'ipv4Mapped' || range === 'rfc6145'
      || (range === 'rfc6052' && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0);
    // Only 2000::/3 is allocated as global unicast; this also refuses the deprecated IPv4-compatible ::/96.
    if (!embedsV4) return range === 'unicast' && (p[0] & 0xe000) === 0x2000;
    addr = ipaddr.fromByteArray(v6.toByteArray().slice(12)) as ipaddr.IPv4;
  }
  return addr.range() === 'unicast';
}

type LookupAll = (host: string, opts: dns.LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addrs: dns.LookupAddress[]) => void) => void;

export interface GuardOptions {
  allowPrivate: boolean;
  /** connect timeout for the TCP/TLS handshake */
  connectTimeoutMs: number;
  /** DNS resolver; node's by default (tests may inject) */
  resolve?: LookupAll;
}

/**
 * A `lookup` for net/tls.connect that resolves the name and drops every non-public address; if none remains
 * the connect fails with BlockedAddressError. Because it runs inside connect, the address checked is the
 * address used: DNS rebinding between a check and the connect is impossible.
 */
export function guardedLookup(opts: GuardOptions): net.LookupFunction {
  const resolve: LookupAll = opts.resolve ?? ((h, o, cb) => dns.lookup(h, o, cb));
  return ((host: string, options: dns.LookupOptions, cb: (...args: unknown[]) => void) => {
    resolve(host, { ...options, all: true }, (err, addrs) => {
      if (err) return cb(err);
      const ok = opts.allowPrivate ? addrs : addrs.filter((a) => isPublicAddress(a.address));
      if (ok.length === 0) return cb(new BlockedAddressError(host, addrs.map((a) => a.address).join(', ') || '(none)'));
      if (options.all) return cb(null, ok);
      cb(null, ok[0].address, ok[0].family);
    });
  }) as net.LookupFunction;
}

/**
 * The undici dispatcher used for every feedback request. Node skips `lookup` when the host is already an IP
 * literal (http://127.1/ arrives here as 127.0.0.1 after WHATWG URL parsing), so literals are judged in the
 * connector itself before any socket is opened.
 */
export function createGuardedAgent(opts: GuardOptions): Agent {
  const base = buildConnector({ lookup: guardedLookup(opts), timeout: opts.connectTimeoutMs });
  const connect: buildConnector.connector = (o, cb) => {
    const literal = o.hostname.replace(/^\[|\]$/g, '');
    if (!opts.allowPrivate && net.isIP(literal) && !isPublicAddress(literal)) {
      // Same callback contract as undici's connector; no socket is ever created.
      queueMicrotask(() => cb(new BlockedAddressError(o.hostname, literal), null));
      return;
    }
    return base(o, cb);
  };
  // pipelining 0: no keep-alive, so every delivery opens (and checks) its own connection.
  return new Agent({ connect, pipelining: 0 });
}
