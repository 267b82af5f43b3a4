import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { renderLetterListXlsx } from './letter-list';

describe('the letter list (.xlsx)', () => {
	it('holds one row per employee with code, name, password, expiry and link', async () => {
		const letters = [
			{ employeeCode: 'E-0001', name: '見本　太郎', link: 'https://vault.example/join#t=AAA&s=BBB&e=1', initialPassword: 'ABCD-EFGH-JKLM', expiresText: '2026年12月23日' },
			{ employeeCode: '00042', name: null, link: 'https://vault.example/join#t=CCC&s=DDD&e=1', initialPassword: 'NPQR-STUV-WXYZ', expiresText: '2026年12月23日' }
		];
		const blob = await renderLetterListXlsx(letters, { code: '従業員コード', name: '氏名', password: '初期パスワード', expires: '有効期限', link: '招待リンク' });
		const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
		expect(Object.keys(files)).toContain('xl/workbook.xml');
		const xml = Object.entries(files)
			.filter(([name]) => name.startsWith('xl/') && name.endsWith('.xml'))
			.map(([, bytes]) => strFromU8(bytes))
			.join('\n');
		for (const text of ['従業員コード', '見本　太郎', 'ABCD-EFGH-JKLM', 'NPQR-STUV-WXYZ', '2026年12月23日', 'https://vault.example/join#t=CCC&amp;s=DDD&amp;e=1']) expect(xml).toContain(text);
		// A code with leading zeros stays text, not the number 42.
		expect(xml).toContain('00042');
	});
});
