import { isIPv4, isIPv6 } from 'node:net';

/** Longer than any address's text form: whatever a caller sends, it still limits as one key. */
const MAX_KEY_LENGTH = 64;

/**
 * The key a client address is limited by (sign-in failures, registrations). One client must not escape a limit by
 * changing how its address is spelt or by walking its own range:
 * - a port or brackets a proxy added are dropped;
 * - an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports) or a NAT64 one
 *   (`64:ff9b::192.0.2.1`) is its IPv4 address;
 * - any other IPv6 address counts as its /64, the smallest prefix a site is normally given (one host controls all of it);
 * - anything else (IPv4, a proxy's odd value) is kept as sent, trimmed and bounded.
 */
export function clientLimitKey(address: string): string {
  const trimmed = address.trim();
  const host = withoutPort(trimmed);
  if (isIPv4(host)) return host;
  const withoutZone = host.split('%')[0] ?? host;
  if (isIPv6(withoutZone)) {
    const groups = ipv6Groups(withoutZone);
    const isMappedIPv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
    // NAT64's well-known prefix: the IPv4 client behind a NAT64 gateway.
    const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
    if (isMappedIPv4 || isNat64) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
    return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
  }
  return trimmed.slice(0, MAX_KEY_LENGTH);
}

/** Some proxies forward `1.2.3.4:5678`, `[2001:db8::1]` or `[2001:db8::1]:443`: the address without them. */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  return ipv4WithPort ? ipv4WithPort[1]! : address;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an embedded IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array.from({ length: 8 - headGroups.length - restGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...restGroups].map((group) => Number.parseInt(group, 16));
}
