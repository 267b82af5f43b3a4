import { describe, expect, it } from 'vitest';
import { uploadProgress } from './progress';

describe('uploadProgress', () => {
	const files = {
		'a:0': 'sent',
		'a:1': 'sent',
		'a:2': 'sending',
		'b:0': 'sent',
		'b:1': 'sent',
		'c:0': 'waiting',
		'c:1': 'queued'
	} as const;

	it('counts one submission', () => {
		expect(uploadProgress(files, 'a')).toEqual({ done: 2, total: 3 });
		expect(uploadProgress(files, 'b')).toEqual({ done: 2, total: 2 });
		expect(uploadProgress(files, 'missing')).toBeNull();
	});

	it('counts only what is still going out overall', () => {
		expect(uploadProgress(files)).toEqual({ done: 2, total: 5 });
		expect(uploadProgress({ 'b:0': 'sent' })).toBeNull();
		expect(uploadProgress({})).toBeNull();
	});

	it('keeps submission ids that contain a colon apart from the item index', () => {
		expect(uploadProgress({ 'x:y:0': 'sent', 'x:y:1': 'queued' }, 'x:y')).toEqual({ done: 1, total: 2 });
	});
});
