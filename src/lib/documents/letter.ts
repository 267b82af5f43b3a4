/**
 * @module Notification letters (issue 5 item 5, seed 1-3 STEP1): one A4 page per employee with
 * the company, the purposes of use, the employee code (and name, from the sealed roster), the QR
 * code of the join link, the link as text, the one-time initial password, its expiry and the
 * company key fingerprint, with instructions. Made in the handler's browser (the link and password
 * never reach the server in the clear) and in Node for tests.
 */
import { createDocument, drawQrCode, PageWriter } from './pdf';

/** One employee's letter. */
export interface LetterEntry {
	employeeCode: string;
	/** The display name from the sealed roster, when the handler's keys opened it. */
	name: string | null;
	/** The join link with its fragment (token, fingerprint, device secret, epoch). */
	link: string;
	initialPassword: string;
	/** The expiry as the reader's calendar shows it. */
	expiresText: string;
}

/** The letters' wording, from the UI's messages (Japanese: letters go to employees in Japan). */
export interface LetterStrings {
	title: string;
	/** `{name}` is replaced by the addressee. */
	salutation: string;
	intro: string;
	purposesTitle: string;
	stepsTitle: string;
	steps: string[];
	password: string;
	expires: string;
	link: string;
	fingerprint: string;
	fingerprintHint: string;
	privacy: string;
	keep: string;
	issued: string;
}

/** The wording from a message lookup (`letter_pdf_*` in messages/*.json). */
export function letterStrings(get: (key: string) => string): LetterStrings {
	return {
		title: get('letter_pdf_title'),
		salutation: get('letter_pdf_salutation'),
		intro: get('letter_pdf_intro'),
		purposesTitle: get('letter_pdf_purposes'),
		stepsTitle: get('letter_pdf_steps_title'),
		steps: [1, 2, 3, 4].map((n) => get(`letter_pdf_step_${n}`)),
		password: get('letter_pdf_password'),
		expires: get('letter_pdf_expires'),
		link: get('letter_pdf_link'),
		fingerprint: get('letter_pdf_fingerprint'),
		fingerprintHint: get('letter_pdf_fingerprint_hint'),
		privacy: get('letter_pdf_privacy'),
		keep: get('letter_pdf_keep'),
		issued: get('letter_pdf_issued')
	};
}

const QR_SIZE = 150;

/**
 * Renders the letters, one page each. The PDF holds one-time secrets: it goes straight to a
 * download (to print or hand over), never to the server.
 */
export async function renderLettersPdf(p: {
	companyName: string;
	purposes: string[];
	fingerprint: string;
	issuedText: string;
	letters: LetterEntry[];
	strings: LetterStrings;
	japaneseFont: Uint8Array;
}): Promise<Uint8Array> {
	if (p.letters.length === 0) throw new Error('no letters to render');
	const s = p.strings;
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${s.title} — ${p.companyName}`, author: p.companyName });
	for (const letter of p.letters) {
		// One page per employee: each PageWriter starts on a page of its own.
		const w = new PageWriter(doc, fonts);
		w.text(`${p.companyName}　${s.issued} ${p.issuedText}`, { size: 9, color: [0.35, 0.35, 0.35] });
		w.text(s.title, { size: 17, gap: 10 });
		w.text(s.salutation.replace('{name}', letter.name ? `${letter.name}（${letter.employeeCode}）` : letter.employeeCode), { size: 12, gap: 8 });
		w.text(s.intro, { size: 10 });
		w.text(s.purposesTitle, { size: 10 });
		for (const purpose of p.purposes) w.text(`・${purpose}`, { size: 10, indent: 12, gap: 1 });
		w.rule();

		// The QR code on the right; the steps beside it.
		const top = w.y;
		drawQrCode(w.page, letter.link, w.margin + w.width - QR_SIZE, top, QR_SIZE);
		const column = w.width - QR_SIZE - 16;
		w.text(s.stepsTitle, { size: 11, width: column, gap: 3 });
		s.steps.forEach((step, n) => w.text(`${n + 1}. ${step}`, { size: 10, width: column, gap: 3 }));
		w.y = Math.min(w.y, top - QR_SIZE) - 8;

		w.text(s.password, { size: 10, gap: 2 });
		w.text(letter.initialPassword, { size: 20, font: fonts.mono, indent: 12, gap: 6 });
		w.text(`${s.expires} ${letter.expiresText}`, { size: 10 });
		w.text(s.link, { size: 9, gap: 2 });
		w.text(letter.link, { size: 7.5, font: fonts.mono, indent: 12, gap: 6 });
		w.text(`${s.fingerprint} ${p.fingerprint}`, { size: 9, gap: 2 });
		w.text(s.fingerprintHint, { size: 8, color: [0.35, 0.35, 0.35] });
		w.rule();
		w.text(s.privacy, { size: 9 });
		w.text(s.keep, { size: 9 });
	}
	return doc.save();
}
