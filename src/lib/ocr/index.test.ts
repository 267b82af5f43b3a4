// Runs the real tesseract.js (Node worker thread, eng best_int from node_modules) on the committed fixtures in
// tests/fixtures/ocr/ (see the README there). No timing assertions: timings are measured separately.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidIndividualNumber } from '../mynumber/index';
import { readMyNumber, terminateOcr } from './index';
import type { OcrResponse } from './protocol';
import { handleMessage } from './worker';

const fixture = (name: string): Uint8Array =>
	new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/ocr/${name}`, import.meta.url)));

afterAll(terminateOcr);

describe('readMyNumber on the fixtures', { timeout: 60_000 }, () => {
	it.each([
		['card-back.png', '123456789018'],
		['card-back-photo.jpg', '987654321018'],
		['tsuchi-card.jpg', '111122223333'],
		['juminhyo.png', '555566667772'],
		// The bench's card back with "〒100-0001 有効期限 2030年": read without the hyphen, the postal code and the year
		// made "71000001 2030", which passes the check digit too, so the number was not filled in.
		['card-back-postcode-2030.png', '246813579021']
	])('reads %s', async (name, expected) => {
		const { number, candidates } = await readMyNumber(fixture(name));
		expect(number).toBe(expected);
		expect(candidates[0]).toBe(expected);
		// No other reading may pass the check digit (the 住民票コード, postal codes and dates must not).
		expect(candidates.filter(isValidIndividualNumber)).toEqual([expected]);
		for (const c of candidates) expect(c).toMatch(/^\d{12}$/);
	});

	it('refuses to pick one of two valid numbers (住民票 of a household)', async () => {
		const { number, candidates } = await readMyNumber(fixture('juminhyo-two.png'));
		expect(number).toBe(null);
		expect(candidates.slice(0, 2).sort()).toEqual(['444433332224', '555566667772']);
	});

	it('lists a number that fails the check digit without setting it', async () => {
		const { number, candidates } = await readMyNumber(fixture('check-digit-fails.png'));
		expect(number).toBe(null);
		expect(candidates).toContain('123456789012');
	});

	it('returns no number for an unreadable photo', async () => {
		const { number, candidates } = await readMyNumber(fixture('unreadable.jpg'));
		expect(number).toBe(null);
		expect(candidates.filter(isValidIndividualNumber)).toEqual([]);
	});

	it('queues concurrent calls on the shared worker without mixing them up', async () => {
		const [a, b, c] = await Promise.all([
			readMyNumber(fixture('tsuchi-card.jpg')),
			readMyNumber(fixture('juminhyo-two.png')),
			readMyNumber(fixture('card-back.png'))
		]);
		expect(a.number).toBe('111122223333');
		expect(b.number).toBe(null);
		expect(c.number).toBe('123456789018');
	});

	it('rejects bytes that are not an image, and keeps working afterwards', async () => {
		await expect(readMyNumber(new TextEncoder().encode('not an image'))).rejects.toThrow(/unsupported image/);
		await expect(readMyNumber(fixture('card-back.png').slice(0, 200))).rejects.toThrow();
		expect((await readMyNumber(fixture('card-back.png'))).number).toBe('123456789018');
	});

	it('starts a new worker after terminateOcr', async () => {
		await terminateOcr();
		await terminateOcr(); // idempotent
		expect((await readMyNumber(fixture('tsuchi-card.jpg'))).number).toBe('111122223333');
	});
});

describe('OCR Worker message handling', { timeout: 60_000 }, () => {
	const ask = async (data: unknown): Promise<OcrResponse[]> => {
		const replies: OcrResponse[] = [];
		await handleMessage(data, (m) => replies.push(m));
		return replies;
	};

	it('answers a read request with the result under the same id', async () => {
		const replies = await ask({ id: 7, type: 'read', image: fixture('card-back.png') });
		expect(replies).toHaveLength(1);
		expect(replies[0]).toMatchObject({ id: 7, type: 'result', number: '123456789018' });
		expect((replies[0] as { candidates: string[] }).candidates[0]).toBe('123456789018');
	});

	it('answers a failing read with an error under the same id', async () => {
		const [reply] = await ask({ id: 8, type: 'read', image: new Uint8Array([1, 2, 3]) });
		expect(reply).toMatchObject({ id: 8, type: 'error' });
		expect((reply as { message: string }).message).toMatch(/unsupported image/);
	});

	it.each([
		['null', null, -1],
		['a wrong type', { id: 3, type: 'write', image: new Uint8Array() }, 3],
		['an image that is not bytes', { id: 4, type: 'read', image: 'card.png' }, 4],
		['no id', { type: 'read', image: new Uint8Array() }, -1]
	])('rejects a malformed request (%s)', async (_name, data, id) => {
		expect(await ask(data)).toEqual([{ id, type: 'error', message: 'malformed OCR request' }]);
	});
});
