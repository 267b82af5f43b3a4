/**
 * Puts an EXIF block with a GPS position and a camera make into a JPEG, as a phone camera does, so
 * tests can prove the photo Worker strips it before sealing. Big-endian TIFF, three tags.
 */

/** The camera make written into the EXIF block: searched for in what the handler receives. */
export const EXIF_MAKE = 'MNV-TEST-CAMERA';

function u16(n: number): number[] {
	return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
	return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function entry(tag: number, type: number, count: number, value: number[]): number[] {
	return [...u16(tag), ...u16(type), ...u32(count), ...value];
}

/** The JPEG with an APP1 "Exif" segment inserted right after its SOI marker. */
export function withExifGps(jpeg: Uint8Array): Uint8Array {
	if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
	const ASCII = 2;
	const LONG = 4;
	const RATIONAL = 5;
	const make = [...new TextEncoder().encode(EXIF_MAKE), 0];
	// Layout after the 8-byte TIFF header: IFD0 (2 entries) | make | GPS IFD (2 entries) | latitude.
	const ifd0At = 8;
	const ifd0Size = 2 + 2 * 12 + 4;
	const makeAt = ifd0At + ifd0Size;
	const gpsAt = makeAt + make.length;
	const gpsSize = 2 + 2 * 12 + 4;
	const latitudeAt = gpsAt + gpsSize;
	const tiff = [
		...[0x4d, 0x4d, 0x00, 0x2a],
		...u32(ifd0At),
		...u16(2),
		...entry(0x010f, ASCII, make.length, u32(makeAt)),
		...entry(0x8825, LONG, 1, u32(gpsAt)),
		...u32(0),
		...make,
		...u16(2),
		...entry(0x0001, ASCII, 2, [0x4e, 0, 0, 0]), // GPSLatitudeRef "N"
		...entry(0x0002, RATIONAL, 3, u32(latitudeAt)),
		...u32(0),
		...[35, 1, 41, 1, 2207, 100].flatMap(u32) // 35° 41′ 22.07″: a fictitious spot in Tokyo
	];
	const payload = [...new TextEncoder().encode('Exif\0\0'), ...tiff];
	const segment = [0xff, 0xe1, ...u16(payload.length + 2), ...payload];
	const out = new Uint8Array(jpeg.length + segment.length);
	out.set(jpeg.subarray(0, 2));
	out.set(segment, 2);
	out.set(jpeg.subarray(2), 2 + segment.length);
	return out;
}

/** Whether the bytes hold an EXIF block or the test camera's make anywhere. */
export function hasExifTrace(bytes: Uint8Array): boolean {
	const text = Buffer.from(bytes).toString('latin1');
	return text.includes('Exif\0\0') || text.includes(EXIF_MAKE);
}
