/**
 * The organisation's optional IP allowlist for handler sign-in (issue 7 item 4; the seed asked
 * for a fixed IP). Uses Node's own `net.BlockList`, so CIDR matching needs no dependency.
 */
import { BlockList, isIP } from 'node:net';

/** An address or a CIDR range, as an administrator types it: `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`. */
export function parseAllowEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
	const [address = '', prefixText, extra] = entry.trim().split('/');
	if (extra !== undefined) return null;
	const version = isIP(address);
	if (version === 0) return null;
	const family = version === 4 ? 'ipv4' : 'ipv6';
	const max = version === 4 ? 32 : 128;
	if (prefixText === undefined) return { address, prefix: max, family };
	if (!/^[0-9]{1,3}$/.test(prefixText)) return null;
	const prefix = Number(prefixText);
	return prefix <= max ? { address, prefix, family } : null;
}

/** Strips the IPv4-mapped IPv6 prefix Node reports for IPv4 clients on a dual-stack socket. */
function clientAddress(ip: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
	const address = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
	const version = isIP(address);
	return version === 0 ? null : { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Whether a handler may sign in from `ip`. No list (null or empty) allows every address; an
 * unparseable client address is refused when a list exists.
 */
export function ipAllowed(ip: string | null, allowlist: readonly string[] | null | undefined): boolean {
	if (!allowlist || allowlist.length === 0) return true;
	const client = ip ? clientAddress(ip) : null;
	if (!client) return false;
	return blockListOf(allowlist).check(client.address, client.family);
}

/** Built once per distinct list: the check runs on every handler request. */
const blockLists = new Map<string, BlockList>();

function blockListOf(allowlist: readonly string[]): BlockList {
	const key = allowlist.join('\n');
	let list = blockLists.get(key);
	if (!list) {
		list = new BlockList();
		for (const entry of allowlist) {
			const parsed = parseAllowEntry(entry);
			if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
		}
		// A handful of organisations' lists; forget them all if lists keep changing.
		if (blockLists.size > 1000) blockLists.clear();
		blockLists.set(key, list);
	}
	return list;
}
