// What a client address counts against, for every per-address limit (SMTP connection slots, HTTP failure backoff).
import ipaddr from 'ipaddr.js';

/**
 * The IPv4 address (IPv4-mapped IPv6 unwrapped), or the /64 of an IPv6 address, which one site usually holds whole
 * (a host can pick any address inside it). Text that is no address is cut to 64 characters, so it cannot grow a table.
 */
export function addressGroup(ip: string): string {
  try {
    const a = ipaddr.process(ip);
    if (a.kind() === 'ipv4') return a.toString();
    return `${a.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
  } catch {
    return ip.slice(0, 64);
  }
}
