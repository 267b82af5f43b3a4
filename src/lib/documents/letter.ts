/**
 * @module Notification letters (issue 5 item 5, seed 1-3 STEP1): one A4 page per employee with
 * the company, the purposes of use, the employee code (and name, from the sealed roster), the QR
 * code of the join link, the link as text, the one-time initial password, its expiry and the
 * company key fingerprint, with instructions. Made in the handler's browser (the link and password
 * never reach the server in the clear) and in Node for tests.
 *
 * Reminder letters (督促状) for employees who joined but have not submitted share the layout: the
 * dates of the first request and of this reminder, and the app's start page to sign in with the
 * password or passkey they set. A reminder carries no secret at all.
 *
 * A payee (取引先・個人事業主, issue 5 item 3) gets the same pages addressed to a business partner:
 * their code is labelled 支払先コード, and the text speaks of お取引先 and leaves out dependents.
 */
import type { PDFDocument } from 'pdf-lib';
import type { PersonKind } from '$lib/person/kind';
import { createDocument, drawQrCode, PageWriter, type DocumentFonts } from './pdf';

/** One employee's (or payee's) letter. */
export interface LetterEntry {
	employeeCode: string;
	/** Whom the letter addresses; an employee when absent. */
	kind?: PersonKind;
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
	/** A payee's page: the label before the code in the addressee (支払先コード), the text and the steps. */
	payeeCode: string;
	payeeIntro: string;
	payeeSteps: string[];
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
		issued: get('letter_pdf_issued'),
		payeeCode: get('letter_pdf_payee_code'),
		payeeIntro: get('letter_pdf_intro_payee'),
		// Step 4 without dependents: a payment record has none.
		payeeSteps: [1, 2, 3].map((n) => get(`letter_pdf_step_${n}`)).concat(get('letter_pdf_step_4_payee'))
	};
}

/** One employee's reminder: no link of their own, no password (they sign in with what they set). */
export interface ReminderEntry {
	employeeCode: string;
	/** Whom the reminder addresses; an employee when absent. */
	kind?: PersonKind;
	name: string | null;
	/** The date of the first request (letter) as the reader's calendar shows it. */
	firstRequestText: string;
}

/** The reminders' wording (`reminder_pdf_*` in messages/*.json). */
export interface ReminderStrings {
	title: string;
	intro: string;
	/** Label before the date of the first request. */
	first: string;
	/** Label before the date of this reminder. */
	reminded: string;
	stepsTitle: string;
	steps: string[];
	link: string;
	help: string;
	noSecret: string;
}

/** The reminder wording from a message lookup (`reminder_pdf_*` in messages/*.json). */
export function reminderStrings(get: (key: string) => string): ReminderStrings {
	return {
		title: get('reminder_pdf_title'),
		intro: get('reminder_pdf_intro'),
		first: get('reminder_pdf_first'),
		reminded: get('reminder_pdf_reminded'),
		stepsTitle: get('reminder_pdf_steps_title'),
		steps: [1, 2, 3].map((n) => get(`reminder_pdf_step_${n}`)),
		link: get('reminder_pdf_link'),
		help: get('reminder_pdf_help'),
		noSecret: get('reminder_pdf_no_secret')
	};
}

/** A page of a request batch: a notification letter (new credentials) or a reminder (none). */
export type RequestPage = { kind: 'letter'; letter: LetterEntry } | { kind: 'reminder'; reminder: ReminderEntry };

const QR_SIZE = 150;

interface Shared {
	companyName: string;
	purposes: string[];
	/** The day of this batch (issue date of a letter, date of a reminder). */
	issuedText: string;
}

/** The head every request page shares: company, date, title, addressee, text and purposes. */
function drawHead(w: PageWriter, p: Shared, s: LetterStrings, entry: { employeeCode: string; name: string | null; kind?: PersonKind }, title: string, intro: string, dates: string[] = []): void {
	w.text(`${p.companyName}　${s.issued} ${p.issuedText}`, { size: 9, color: [0.35, 0.35, 0.35] });
	w.text(title, { size: 17, gap: 10 });
	// A payee's code is labelled, so it is not read as an employee number.
	const code = entry.kind === 'payee' ? `${s.payeeCode}${entry.employeeCode}` : entry.employeeCode;
	w.text(s.salutation.replace('{name}', entry.name ? `${entry.name}（${code}）` : code), { size: 12, gap: 8 });
	w.text(intro, { size: 10 });
	for (const line of dates) w.text(line, { size: 10, indent: 12, gap: 1 });
	if (dates.length) w.y -= 4;
	w.text(s.purposesTitle, { size: 10 });
	for (const purpose of p.purposes) w.text(`・${purpose}`, { size: 10, indent: 12, gap: 1 });
	w.rule();
}

function drawLetter(doc: PDFDocument, fonts: DocumentFonts, p: Shared & { fingerprint: string }, s: LetterStrings, letter: LetterEntry): void {
	// One page per employee: each PageWriter starts on a page of its own.
	const w = new PageWriter(doc, fonts);
	const payee = letter.kind === 'payee';
	drawHead(w, p, s, letter, s.title, payee ? s.payeeIntro : s.intro);

	// The QR code on the right; the steps beside it.
	const top = w.y;
	drawQrCode(w.page, letter.link, w.margin + w.width - QR_SIZE, top, QR_SIZE);
	const column = w.width - QR_SIZE - 16;
	w.text(s.stepsTitle, { size: 11, width: column, gap: 3 });
	(payee ? s.payeeSteps : s.steps).forEach((step, n) => w.text(`${n + 1}. ${step}`, { size: 10, width: column, gap: 3 }));
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

function drawReminder(doc: PDFDocument, fonts: DocumentFonts, p: Shared & { appUrl: string }, s: LetterStrings, r: ReminderStrings, reminder: ReminderEntry): void {
	const w = new PageWriter(doc, fonts);
	drawHead(w, p, s, reminder, r.title, r.intro, [`${r.first} ${reminder.firstRequestText}`, `${r.reminded} ${p.issuedText}`]);
	// The start page only: signing in needs the employee's own password or passkey, not this paper.
	const top = w.y;
	drawQrCode(w.page, p.appUrl, w.margin + w.width - QR_SIZE, top, QR_SIZE);
	const column = w.width - QR_SIZE - 16;
	w.text(r.stepsTitle, { size: 11, width: column, gap: 3 });
	r.steps.forEach((step, n) => w.text(`${n + 1}. ${step}`, { size: 10, width: column, gap: 3 }));
	w.y = Math.min(w.y, top - QR_SIZE) - 8;
	w.text(r.link, { size: 9, gap: 2 });
	w.text(p.appUrl, { size: 11, font: fonts.mono, indent: 12, gap: 6 });
	w.text(r.help, { size: 9 });
	w.rule();
	w.text(r.noSecret, { size: 9 });
}

/** Progress of a render: pages drawn so far and in all. */
export type PageProgress = (done: number, total: number) => void | Promise<void>;

/**
 * Renders a batch of notification letters and reminders into one PDF, a page per employee (or
 * payee, worded for them by the entry's `kind`) in the order given. Letters hold one-time
 * secrets: the PDF goes straight to a download (to print or hand over), never to the server.
 * @param p.appUrl the app's start page for reminders, without any secret.
 */
export async function renderRequestsPdf(p: {
	companyName: string;
	purposes: string[];
	fingerprint: string;
	issuedText: string;
	appUrl: string;
	pages: RequestPage[];
	strings: LetterStrings;
	reminderStrings: ReminderStrings;
	japaneseFont: Uint8Array;
	/** Called after each page; may wait (e.g. for a paint), so a progress bar moves during long runs. */
	onpage?: PageProgress;
}): Promise<Uint8Array> {
	if (p.pages.length === 0) throw new Error('no letters to render');
	// A reminder's URL is printed for anyone to read: refuse one that carries a fragment or query.
	if (p.pages.some((page) => page.kind === 'reminder') && /[#?]/.test(p.appUrl)) throw new Error('the reminder URL must carry no secret');
	const title = p.pages.some((page) => page.kind === 'letter') ? p.strings.title : p.reminderStrings.title;
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${title} — ${p.companyName}`, author: p.companyName });
	for (const [i, page] of p.pages.entries()) {
		if (page.kind === 'letter') drawLetter(doc, fonts, p, p.strings, page.letter);
		else drawReminder(doc, fonts, p, p.strings, p.reminderStrings, page.reminder);
		await p.onpage?.(i + 1, p.pages.length);
	}
	return doc.save();
}

/**
 * Renders notification letters only, one page each, worded by each entry's `kind` (see `renderRequestsPdf`).
 */
export async function renderLettersPdf(p: {
	companyName: string;
	purposes: string[];
	fingerprint: string;
	issuedText: string;
	letters: LetterEntry[];
	strings: LetterStrings;
	japaneseFont: Uint8Array;
	onpage?: PageProgress;
}): Promise<Uint8Array> {
	if (p.letters.length === 0) throw new Error('no letters to render');
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${p.strings.title} — ${p.companyName}`, author: p.companyName });
	for (const [i, letter] of p.letters.entries()) {
		drawLetter(doc, fonts, p, p.strings, letter);
		await p.onpage?.(i + 1, p.letters.length);
	}
	return doc.save();
}
