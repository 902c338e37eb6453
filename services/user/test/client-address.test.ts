import { clientLimitKey } from '../src/domain/client-address';

describe('clientLimitKey', () => {
  it('keeps an IPv4 address, trimmed', () => {
    expect(clientLimitKey(' 192.0.2.7 ')).toBe('192.0.2.7');
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, however it is spelt', () => {
    expect(clientLimitKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientLimitKey('::FFFF:c000:0207')).toBe('192.0.2.7');
    expect(clientLimitKey('0:0:0:0:0:ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('limits an IPv6 address by its /64, whatever its spelling or zone', () => {
    const key = clientLimitKey('2001:db8::42');
    expect(key).toBe('2001:db8:0:0::/64');
    expect(clientLimitKey('2001:0DB8:0000:0000:ffff:1:2:3')).toBe(key);
    expect(clientLimitKey('2001:db8::1%eth0')).toBe(key);
    expect(clientLimitKey('2001:db8:0:1::42')).not.toBe(key);
    expect(clientLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(clientLimitKey('64:ff9b:1::192.0.2.7')).toBe('64:ff9b:1:0::/64');
  });

  it('reads a NAT64 address as the IPv4 client behind it', () => {
    expect(clientLimitKey('64:ff9b::192.0.2.7')).toBe('192.0.2.7');
    expect(clientLimitKey('64:ff9b::c000:207')).toBe('192.0.2.7');
  });

  it('drops a port or brackets a proxy added', () => {
    expect(clientLimitKey('192.0.2.7:5678')).toBe('192.0.2.7');
    expect(clientLimitKey('[2001:db8::42]')).toBe('2001:db8:0:0::/64');
    expect(clientLimitKey('[2001:db8::42]:443')).toBe('2001:db8:0:0::/64');
    expect(clientLimitKey('[::ffff:192.0.2.7]:80')).toBe('192.0.2.7');
  });

  it('keeps anything else as sent, bounded', () => {
    expect(clientLimitKey('unknown')).toBe('unknown');
    expect(clientLimitKey('x'.repeat(100))).toHaveLength(64);
  });
});
