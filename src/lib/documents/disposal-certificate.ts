/**
 * @module The disposal certificate (特定個人情報廃棄証明書, issue 6 item 3, seed 4-1) as a PDF and
 * the same list as an .xlsx file, made in the handler's browser from `disposal.list`. It names
 * people by code only: their names are gone by then, and a disposal record must never hold a
 * number (DOMAIN.md §7). When an office disposes for a client company, the office is the issuer
 * and the certificate says it acted on the company's behalf (DOMAIN.md §8: a certificate for the
 * client company).
 */
import writeXlsxFile, { type SheetData } from 'write-excel-file/universal';
import { DISPOSAL_BASES, DISPOSAL_DOCUMENTS, type DisposalBasis, type DisposalDocument } from '../disposal/index';
import { createDocument, PageWriter } from './pdf';

/** One batch as `disposal.list` returns it. */
export interface DisposalBatch {
	batchId: string;
	disposedAt: string;
	basis: string;
	note: string | null;
	disposedBy: { displayName: string; loginId: string };
	responsible: { displayName: string; loginId: string };
	issuer: { orgName: string; forClient: boolean };
	people: { employeeCode: string; employeeKind: 'employee' | 'payee'; submissions: number; images: number; documents: string[] }[];
}

/** The company the data belonged to (public business information). */
export interface CertificateCompany {
	name: string;
	corporateNumber: string | null;
	address: string | null;
}

/** The certificate's wording, from the UI's messages (always Japanese: it is filed as a record). */
export interface DisposalCertificateStrings {
	title: string;
	number: string;
	issued: string;
	issuer: string;
	/** With `{org}` and `{company}`: the office disposed of the data on the client company's behalf. */
	forClient: string;
	company: string;
	corporateNumber: string;
	statement: string;
	disposedAt: string;
	responsible: string;
	operator: string;
	basis: string;
	note: string;
	method: string;
	methodText: string;
	tableTitle: string;
	code: string;
	kind: string;
	documents: string;
	submissions: string;
	images: string;
	/** With `{count}`. */
	total: string;
	kindEmployee: string;
	kindPayee: string;
	bases: Record<DisposalBasis, string>;
	docs: Record<DisposalDocument, string>;
}

/** The strings from a message lookup (`get(key)` returns the message with placeholders kept). */
export function disposalCertificateStrings(get: (key: string) => string): DisposalCertificateStrings {
	return {
		title: get('disposal_pdf_title'),
		number: get('disposal_pdf_number'),
		issued: get('disposal_pdf_issued'),
		issuer: get('disposal_pdf_issuer'),
		forClient: get('disposal_pdf_for_client'),
		company: get('disposal_pdf_company'),
		corporateNumber: get('disposal_pdf_corporate_number'),
		statement: get('disposal_pdf_statement'),
		disposedAt: get('disposal_pdf_disposed_at'),
		responsible: get('disposal_pdf_responsible'),
		operator: get('disposal_pdf_operator'),
		basis: get('disposal_pdf_basis'),
		note: get('disposal_pdf_note'),
		method: get('disposal_pdf_method'),
		methodText: get('disposal_pdf_method_text'),
		tableTitle: get('disposal_pdf_table_title'),
		code: get('disposal_col_code'),
		kind: get('disposal_col_kind'),
		documents: get('disposal_col_documents'),
		submissions: get('disposal_col_submissions'),
		images: get('disposal_col_images'),
		total: get('disposal_pdf_total'),
		kindEmployee: get('disposal_kind_employee'),
		kindPayee: get('disposal_kind_payee'),
		bases: Object.fromEntries(DISPOSAL_BASES.map((b) => [b, get(`disposal_basis_${b}`)])) as Record<DisposalBasis, string>,
		docs: Object.fromEntries(DISPOSAL_DOCUMENTS.map((d) => [d, get(`disposal_doc_${d}`)])) as Record<DisposalDocument, string>
	};
}

function fill(template: string, values: Record<string, string | number>): string {
	return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}

function documentsText(documents: string[], s: DisposalCertificateStrings): string {
	return documents.map((d) => s.docs[d as DisposalDocument] ?? d).join('、');
}

function basisText(basis: string, s: DisposalCertificateStrings): string {
	return s.bases[basis as DisposalBasis] ?? basis;
}

function handlerText(h: { displayName: string; loginId: string }): string {
	return `${h.displayName}（${h.loginId}）`;
}

/**
 * Renders one batch's certificate: number (the batch id), issuer, company, date, 責任者 and
 * operator, basis, method, and a table of codes, kinds, document kinds and counts.
 */
export async function renderDisposalCertificatePdf(p: {
	company: CertificateCompany;
	batch: DisposalBatch;
	/** The issue date and the disposal time as the reader's calendar shows them. */
	issuedText: string;
	disposedText: string;
	strings: DisposalCertificateStrings;
	japaneseFont: Uint8Array;
}): Promise<Uint8Array> {
	const s = p.strings;
	const { batch } = p;
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${s.title} — ${p.company.name}`, author: batch.issuer.orgName });
	const w = new PageWriter(doc, fonts);
	w.text(s.title, { size: 18, gap: 12 });
	w.text(`${s.number}: ${batch.batchId}`, { size: 9 });
	w.text(`${s.issued}: ${p.issuedText}`, { size: 9 });
	w.text(`${s.issuer}: ${batch.issuer.orgName}`, { size: 11 });
	w.text(`${s.company}: ${p.company.name}` + (p.company.corporateNumber ? `（${s.corporateNumber} ${p.company.corporateNumber}）` : ''), { size: 11, gap: 10 });
	w.text(batch.issuer.forClient ? fill(s.forClient, { org: batch.issuer.orgName, company: p.company.name }) : s.statement, { size: 10, gap: 10 });
	w.rule();
	const rows: [string, string][] = [
		[s.disposedAt, p.disposedText],
		[s.responsible, handlerText(batch.responsible)],
		[s.operator, handlerText(batch.disposedBy)],
		[s.basis, basisText(batch.basis, s)],
		...(batch.note ? ([[s.note, batch.note]] as [string, string][]) : []),
		[s.method, s.methodText]
	];
	for (const [label, value] of rows) w.text(`${label}: ${value}`, { size: 10, gap: 2 });
	w.rule();
	w.text(`${s.tableTitle}（${fill(s.total, { count: batch.people.length })}）`, { size: 11, gap: 6 });
	// A plain table: four narrow columns and the document kinds, which wrap.
	const columns = [
		{ title: s.code, x: 0, width: 90 },
		{ title: s.kind, x: 95, width: 70 },
		{ title: s.submissions, x: 170, width: 55 },
		{ title: s.images, x: 230, width: 55 },
		{ title: s.documents, x: 290, width: w.width - 290 }
	];
	const size = 9;
	const header = () => {
		w.ensure(size * 2);
		w.y -= size * 1.5;
		for (const c of columns) w.page.drawText(c.title, { x: w.margin + c.x, y: w.y + size * 0.3, size, font: fonts.jp });
		w.y -= 3;
	};
	header();
	for (const person of batch.people) {
		const cells = [person.employeeCode, person.employeeKind === 'payee' ? s.kindPayee : s.kindEmployee, String(person.submissions), String(person.images), documentsText(person.documents, s)];
		const docLines = wrapLines(cells[4]!, fonts.jp, size, columns[4]!.width);
		const page = w.page;
		w.ensure(docLines.length * size * 1.4 + size);
		// A new page repeats the header row.
		if (w.page !== page) header();
		w.y -= size * 1.4;
		for (const [i, c] of columns.entries()) {
			if (i === 4) continue;
			w.page.drawText(cells[i]!, { x: w.margin + c.x, y: w.y + size * 0.3, size, font: i === 0 ? fonts.mono : fonts.jp });
		}
		for (const [j, line] of docLines.entries()) w.page.drawText(line, { x: w.margin + columns[4]!.x, y: w.y + size * 0.3 - j * size * 1.4, size, font: fonts.jp });
		w.y -= (docLines.length - 1) * size * 1.4;
	}
	return doc.save();
}

function wrapLines(text: string, font: { widthOfTextAtSize(t: string, s: number): number }, size: number, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const ch of text) {
		if (line && font.widthOfTextAtSize(line + ch, size) > width) {
			lines.push(line);
			line = '';
		}
		line += ch;
	}
	lines.push(line);
	return lines;
}

/** The batch as one sheet: the certificate's facts on top, then one row per person, every cell text. */
export function disposalListSheet(p: { company: CertificateCompany; batch: DisposalBatch; disposedText: string; strings: DisposalCertificateStrings }): SheetData {
	const s = p.strings;
	const { batch } = p;
	const text = (value: string) => ({ value, type: String });
	const bold = (value: string) => ({ value, fontWeight: 'bold' as const });
	const facts: [string, string][] = [
		[s.number, batch.batchId],
		[s.company, p.company.name],
		[s.issuer, batch.issuer.orgName],
		[s.disposedAt, p.disposedText],
		[s.responsible, handlerText(batch.responsible)],
		[s.operator, handlerText(batch.disposedBy)],
		[s.basis, basisText(batch.basis, s)],
		[s.note, batch.note ?? ''],
		[s.method, s.methodText]
	];
	return [
		[bold(s.title)],
		...facts.map(([label, value]) => [bold(label), text(value)]),
		[],
		[s.code, s.kind, s.submissions, s.images, s.documents].map(bold),
		...batch.people.map((person) => [
			text(person.employeeCode),
			text(person.employeeKind === 'payee' ? s.kindPayee : s.kindEmployee),
			{ value: person.submissions, type: Number },
			{ value: person.images, type: Number },
			text(documentsText(person.documents, s))
		])
	];
}

/** The .xlsx file of `disposalListSheet`. */
export async function renderDisposalListXlsx(p: { company: CertificateCompany; batch: DisposalBatch; disposedText: string; strings: DisposalCertificateStrings }): Promise<Blob> {
	return writeXlsxFile(disposalListSheet(p), { columns: [{ width: 18 }, { width: 40 }, { width: 10 }, { width: 10 }, { width: 60 }], sheet: 'disposal' }).toBlob();
}
