import { describe, expect, it } from 'vitest';
import { ipAllowed, parseAllowEntry } from './ip';

describe('handler IP allowlist', () => {
	it('allows everyone without a list', () => {
		expect(ipAllowed('198.51.100.1', null)).toBe(true);
		expect(ipAllowed('198.51.100.1', [])).toBe(true);
	});

	it('matches single addresses and CIDR ranges, IPv4 and IPv6, also IPv4 seen through a dual-stack socket', () => {
		const list = ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32'];
		expect(ipAllowed('203.0.113.7', list)).toBe(true);
		expect(ipAllowed('203.0.113.8', list)).toBe(false);
		expect(ipAllowed('198.51.100.254', list)).toBe(true);
		expect(ipAllowed('198.51.101.1', list)).toBe(false);
		expect(ipAllowed('::ffff:198.51.100.9', list)).toBe(true);
		expect(ipAllowed('2001:db8:1::5', list)).toBe(true);
		expect(ipAllowed('2001:db9::5', list)).toBe(false);
	});

	it('refuses an unknown client address when a list exists', () => {
		expect(ipAllowed(null, ['203.0.113.7'])).toBe(false);
		expect(ipAllowed('unknown', ['203.0.113.7'])).toBe(false);
	});

	it('parses what an administrator types, and nothing else', () => {
		expect(parseAllowEntry(' 203.0.113.0/24 ')).toEqual({ address: '203.0.113.0', prefix: 24, family: 'ipv4' });
		expect(parseAllowEntry('2001:db8::1')).toEqual({ address: '2001:db8::1', prefix: 128, family: 'ipv6' });
		for (const bad of ['203.0.113.0/33', '203.0.113', 'example.com', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/ 8', '']) expect(parseAllowEntry(bad), bad).toBeNull();
	});
});
