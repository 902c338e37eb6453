import { isIPv4, isIPv6 } from 'node:net';

/** Longer than any address's text form: whatever a caller sends, it still limits as one key. */
const MAX_KEY_LENGTH = 64;

/**
 * The key a client address is limited by (sign-in failures, registrations). One client must not escape a limit by
 * changing how its address is spelt or by walking its own range:
 * - an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports) is its IPv4 address;
 * - an IPv6 address counts as its /64, the smallest prefix a site is normally given (one host controls all of it);
 * - anything else (IPv4, a proxy's odd value) is kept as sent, trimmed and bounded.
 */
export function clientLimitKey(address: string): string {
  const trimmed = address.trim();
  const withoutZone = trimmed.split('%')[0] ?? trimmed;
  if (isIPv6(withoutZone)) {
    const groups = ipv6Groups(withoutZone);
    const isMappedIPv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
    if (isMappedIPv4) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
    return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
  }
  return trimmed.slice(0, MAX_KEY_LENGTH);
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
