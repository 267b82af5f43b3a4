/**
 * @module The recovery-kit PDF (issue 3 item 5): the company's root key and every epoch's keys as
 * text and QR codes, with instructions. The same entries travel as an attached text file, which
 * `npm run recover -- --kit <the PDF>` reads, so the paper and the file are one kit.
 */
import { encodeRecoveryKit, recoveryKitFingerprint, type RecoveryKit } from '../crypto';
import { createDocument, drawQrCode, PageWriter, readAttachment } from './pdf';

/** The attachment's name inside the kit PDF. */
export const KIT_ATTACHMENT = 'mynumber-vault-recovery-kit.txt';

/** The kit's wording, from the UI's messages (Japanese first). */
export interface RecoveryKitStrings {
	title: string;
	warning: string;
	company: string;
	companyId: string;
	fingerprint: string;
	createdAt: string;
	epochs: string;
	howToTitle: string;
	howTo: string[];
	rootEntry: string;
	/** `{epoch}` is replaced by the epoch number. */
	epochEntry: string;
	entryHint: string;
}

/** The kit's wording from a message lookup (`kit_pdf_*` in messages/*.json); `{epoch}` stays a placeholder. */
export function recoveryKitStrings(get: (key: string) => string): RecoveryKitStrings {
	return {
		title: get('kit_pdf_title'),
		warning: get('kit_pdf_warning'),
		company: get('kit_pdf_company'),
		companyId: get('kit_pdf_company_id'),
		fingerprint: get('kit_pdf_fingerprint'),
		createdAt: get('kit_pdf_created_at'),
		epochs: get('kit_pdf_epochs'),
		howToTitle: get('kit_pdf_howto_title'),
		howTo: [1, 2, 3, 4, 5].map((n) => get(`kit_pdf_howto_${n}`)),
		rootEntry: get('kit_pdf_root_entry'),
		epochEntry: get('kit_pdf_epoch_entry'),
		entryHint: get('kit_pdf_entry_hint')
	};
}

/**
 * Renders the kit. Runs in the 責任者's browser (and in Node for tests); the PDF holds secrets,
 * so it goes straight to a download and never to the server.
 */
export async function renderRecoveryKitPdf(p: {
	kit: RecoveryKit;
	companyName: string;
	createdAt: Date;
	/** `createdAt` as the reader's calendar shows it. */
	createdAtText: string;
	strings: RecoveryKitStrings;
	japaneseFont: Uint8Array;
}): Promise<Uint8Array> {
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${p.strings.title} — ${p.companyName}` });
	const entries = encodeRecoveryKit(p.kit);
	const w = new PageWriter(doc, fonts);
	const s = p.strings;
	w.text(s.title, { size: 18, gap: 6 });
	w.text(s.warning, { size: 10, color: [0.7, 0, 0], gap: 10 });
	const latest = p.kit.epochs.at(-1)?.epoch ?? 0;
	for (const [label, value, font] of [
		[s.company, p.companyName, fonts.jp],
		[s.companyId, p.kit.companyId, fonts.mono],
		[s.fingerprint, recoveryKitFingerprint(p.kit), fonts.mono],
		[s.createdAt, p.createdAtText, fonts.jp],
		[s.epochs, latest === 1 ? '1' : `1–${latest}`, fonts.jp]
	] as const) {
		w.text(label, { size: 8, color: [0.35, 0.35, 0.35], gap: 0 });
		w.text(value, { size: 11, font, gap: 4 });
	}
	w.rule();
	w.text(s.howToTitle, { size: 12, gap: 2 });
	for (const [i, step] of s.howTo.entries()) w.text(`${i + 1}. ${step}`, { size: 9.5, indent: 8, gap: 2 });
	w.text(s.entryHint, { size: 9, color: [0.35, 0.35, 0.35], gap: 8 });

	// One block per entry: a QR code on the left, the same text on the right.
	const qrSize = 118;
	for (const [i, entry] of entries.entries()) {
		const title = i === 0 ? s.rootEntry : s.epochEntry.replace('{epoch}', String(p.kit.epochs[i - 1]!.epoch));
		w.ensure(qrSize + 36);
		w.rule();
		w.text(title, { size: 11, gap: 2 });
		const top = w.y;
		drawQrCode(w.page, entry, w.margin, top, qrSize);
		const textWriter = { x: w.margin + qrSize + 12, width: w.width - qrSize - 12 };
		let y = top - 4;
		// 7.5 pt Courier fits the longest token (a post-quantum age identity, 78 characters) on one
		// line, so a copy of the printed text parses as a kit. Wrap at spaces only.
		const size = 7.5;
		const lines: string[] = [];
		let line = '';
		for (const token of entry.split(' ')) {
			for (const part of token.match(new RegExp(`.{1,${Math.floor(textWriter.width / (size * 0.6))}}`, 'g')) ?? []) {
				const next = line ? `${line} ${part}` : part;
				if (fonts.mono.widthOfTextAtSize(next, size) > textWriter.width && line) {
					lines.push(line);
					line = part;
				} else line = next;
			}
		}
		if (line) lines.push(line);
		for (const l of lines) {
			y -= size * 1.45;
			w.page.drawText(l, { x: textWriter.x, y, size, font: fonts.mono });
		}
		w.y = Math.min(top - qrSize, y) - 6;
	}
	await doc.attach(new TextEncoder().encode(entries.join('\n') + '\n'), KIT_ATTACHMENT, {
		mimeType: 'text/plain',
		description: s.title,
		creationDate: p.createdAt,
		modificationDate: p.createdAt
	});
	return doc.save();
}

/** The kit's entries from a kit PDF's attachment, or null when the PDF carries none. */
export async function kitTextFromPdf(pdf: Uint8Array): Promise<string | null> {
	const bytes = await readAttachment(pdf, KIT_ATTACHMENT);
	return bytes ? new TextDecoder().decode(bytes) : null;
}
