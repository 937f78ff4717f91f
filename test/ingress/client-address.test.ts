// One grouping of client addresses for every per-address limit: IPv4 alone, IPv4-mapped as IPv4, IPv6 by its /64.
import { describe, expect, it } from 'vitest';
import { addressGroup } from '../../src/ingress/client-address.js';

describe('addressGroup', () => {
  it('counts IPv4 addresses alone, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressGroup('192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('2001:db8:1:2::1')).toBe(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressGroup('2001:db8:1:2:a::1')).toBe(addressGroup('2001:db8:1:2:ffff::9'));
    expect(addressGroup('2001:db8:1:2::1')).not.toBe(addressGroup('2001:db8:1:3::1'));
  });
});
