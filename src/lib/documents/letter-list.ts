/**
 * @module The list of issued letters as an .xlsx file (issue 5 item 5; the seed offers Excel), for
 * offices that merge letters into their own mail or hand them out by list. Written with
 * write-excel-file (MIT, one dependency: fflate), chosen over exceljs for its size, in the
 * handler's browser: it holds the one-time passwords and links, so it goes straight to a download.
 */
import writeXlsxFile, { type SheetData } from 'write-excel-file/universal';
import type { LetterEntry } from './letter';

/** Column headers, from the UI's messages. */
export interface LetterListStrings {
	code: string;
	name: string;
	password: string;
	expires: string;
	link: string;
}

/** The letters as one sheet: a header row, then one row per employee, every cell text. */
export function letterListSheet(letters: LetterEntry[], strings: LetterListStrings): SheetData {
	const header = [strings.code, strings.name, strings.password, strings.expires, strings.link].map((value) => ({ value, fontWeight: 'bold' as const }));
	const rows = letters.map((l) => [l.employeeCode, l.name ?? '', l.initialPassword, l.expiresText, l.link].map((value) => ({ value, type: String })));
	return [header, ...rows];
}

/** The .xlsx file of `letterListSheet`. */
export async function renderLetterListXlsx(letters: LetterEntry[], strings: LetterListStrings): Promise<Blob> {
	return writeXlsxFile(letterListSheet(letters, strings), { columns: [{ width: 14 }, { width: 18 }, { width: 18 }, { width: 18 }, { width: 80 }], sheet: 'letters' }).toBlob();
}
