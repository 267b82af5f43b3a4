/**
 * @module The safety-management documents (安全管理措置の文書, issue 6 item 5, DOMAIN.md §6): the
 * basic policy (特定個人情報等の適正な取扱いに関する基本方針, recommended), the handling rules
 * (特定個人情報等取扱規程, mandatory) and a one-page summary of the technical measures the product
 * itself provides, for the customer's own records.
 *
 * They are templates the customer edits: the company's name, its 事務取扱責任者 and 担当者 (the
 * handlers granted the company, by login), its purposes of use and their retention periods are
 * filled in; everything the product cannot know is left as 【 】 for the customer to complete.
 * The handling rules follow the PPC guideline's 管理段階 (取得・利用・保存・提供・削除・廃棄) and its
 * four 安全管理措置, and describe the product's actual workflow (a reason before every view, the
 * disposal certificate, the handling history a 責任者 reviews, retention as in `$lib/disposal`).
 *
 * Unlike the letters and certificates, whose few labels live in messages/*.json, the wording is
 * kept here: it is several pages of document content, not UI, and the template is chosen by its
 * own locale (a Japanese company may run the UI in English and still file Japanese rules).
 *
 * No employee data goes in: the only people named are handlers, by the labels the page passes.
 * The rendered text is checked for a 12-digit run before it is returned (fail closed).
 *
 * Pure (no Svelte, no tRPC): the page, Node tests and `npx tsx` scripts make the same documents.
 */
import { rgb } from 'pdf-lib';
import { RETENTION, type RetentionRule } from '../disposal/index';
import type { Purpose } from '../purposes/index';
import { createDocument, PageWriter } from './pdf';

export type PolicyLocale = 'ja' | 'en';

/** The three documents, in the order the page offers them. */
export const POLICY_KINDS = ['basic_policy', 'handling_rules', 'technical_summary'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** One purpose's retention period, as the handling rules state it. */
export interface RetentionLine {
	/** The purpose's name in the document's language. */
	label: string;
	years: number;
	from: RetentionRule['from'];
}

/** What the documents are filled with. Public business information and handler labels only. */
export interface PolicyInput {
	companyName: string;
	/** 法人番号 (13 digits), printed as given. */
	corporateNumber?: string | null;
	address?: string | null;
	/** The 社労士 / 税理士 office that handles numbers for the company (委託先), when one does. */
	officeName?: string | null;
	/** 事務取扱責任者, e.g. 「山田 花子（yamada）」. */
	responsible: readonly string[];
	/** 事務取扱担当者. */
	clerks: readonly string[];
	/** The notified purposes of use, already in the document's language. */
	purposes: readonly string[];
	retention: readonly RetentionLine[];
	/** The date the template was made, YYYY-MM-DD. */
	date: string;
	locale: PolicyLocale;
	/** Minutes without activity after which browsers forget unlocked keys (the organisation's setting). */
	idleLockMinutes?: number;
	/** Days after acceptance the document photos are deleted; null or absent: kept until disposal. */
	imageRetentionDays?: number | null;
}

/** A paragraph (legal style: `number` from the second paragraph of an article on) or a list. */
export type PolicyBlock = { kind: 'paragraph'; text: string; number?: number } | { kind: 'list'; style: 'numbered' | 'bulleted'; items: string[] };

export interface PolicyArticle {
	/** Numbered already: 「第3条（取得）」, 「1．事業者の名称」, "Article 3 (Collection)". */
	heading: string;
	blocks: PolicyBlock[];
}

export interface PolicyChapter {
	/** 「第3章　取得」, "Chapter 3  Collection"; null for a document without chapters. */
	heading: string | null;
	articles: PolicyArticle[];
}

export interface PolicyDocument {
	kind: PolicyKind;
	locale: PolicyLocale;
	title: string;
	/** Short lines under the title, right-aligned in the PDF: the company, the date. */
	meta: string[];
	/** How to use the template (what 【 】 means); printed small above the text. */
	note: string;
	intro: string[];
	chapters: PolicyChapter[];
	/** A heading over `closing` (附則), or null. */
	closingHeading: string | null;
	/** Lines after the last article: the date of enactment, who enacts it. */
	closing: string[];
}

/** Where the customer writes: the brackets every template uses. */
function blank(what: string): string {
	return `【${what}】`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function formatDate(iso: string, locale: PolicyLocale): string {
	const match = DATE.exec(iso);
	if (!match) throw new Error('invalid date');
	const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (m < 1 || m > 12 || d < 1 || d > 31) throw new Error('invalid date');
	return locale === 'ja' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The filled-in facts, with a 【 】 wherever the input had nothing. */
interface Facts {
	company: string;
	corporateNumber: string | null;
	address: string | null;
	office: string | null;
	responsible: string[];
	clerks: string[];
	purposes: string[];
	retention: RetentionLine[];
	date: string;
	idle: number;
	imageDays: number | null;
}

function facts(input: PolicyInput): Facts {
	const clean = (list: readonly string[]) => list.map((s) => s.trim()).filter(Boolean);
	const opt = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null);
	return {
		company: opt(input.companyName) ?? blank(input.locale === 'ja' ? '会社名' : 'company name'),
		corporateNumber: opt(input.corporateNumber),
		address: opt(input.address),
		office: opt(input.officeName),
		responsible: clean(input.responsible),
		clerks: clean(input.clerks),
		purposes: clean(input.purposes),
		retention: [...input.retention],
		date: formatDate(input.date, input.locale),
		idle: input.idleLockMinutes && input.idleLockMinutes > 0 ? input.idleLockMinutes : 10,
		imageDays: input.imageRetentionDays ?? null
	};
}

// Short constructors, so the texts below read as text.
const p = (text: string): PolicyBlock => ({ kind: 'paragraph', text });
const ol = (...items: string[]): PolicyBlock => ({ kind: 'list', style: 'numbered', items });
const ul = (...items: string[]): PolicyBlock => ({ kind: 'list', style: 'bulleted', items });
interface Draft {
	heading: string;
	blocks: PolicyBlock[];
}
const art = (heading: string, ...blocks: PolicyBlock[]): Draft => ({ heading, blocks });

/** Numbers articles 第n条（…） continuously across chapters, and their second and later paragraphs. */
function numberRules(chapters: { title: string; articles: Draft[] }[], locale: PolicyLocale): PolicyChapter[] {
	let n = 0;
	return chapters.map((chapter, c) => ({
		heading: locale === 'ja' ? `第${c + 1}章　${chapter.title}` : `Chapter ${c + 1}  ${chapter.title}`,
		articles: chapter.articles.map((a) => {
			n++;
			let para = 0;
			return {
				heading: locale === 'ja' ? `第${n}条（${a.heading}）` : `Article ${n} (${a.heading})`,
				blocks: a.blocks.map((b) => (b.kind === 'paragraph' ? (++para > 1 ? { ...b, number: para } : b) : b))
			};
		})
	}));
}

/** Numbers sections 「1．…」 / "1. …" (basic policy, summary). */
function numberSections(drafts: Draft[], locale: PolicyLocale): PolicyChapter[] {
	return [{ heading: null, articles: drafts.map((a, i) => ({ heading: locale === 'ja' ? `${i + 1}．${a.heading}` : `${i + 1}. ${a.heading}`, blocks: a.blocks })) }];
}

function retentionText(r: RetentionLine, locale: PolicyLocale): string {
	if (locale === 'ja') {
		const start = r.from === 'january_10_next_year' ? '退職（支払先は取引の終了）した年の翌年1月10日の翌日' : '退職日（支払先は取引の終了日）の翌日';
		return `${r.label}：${start}から${r.years}年`;
	}
	const start = r.from === 'january_10_next_year' ? 'the day after 10 January of the year after employment (or the business relationship) ended' : 'the day after employment (or the business relationship) ended';
	return `${r.label}: ${r.years} years from ${start}`;
}

// ---------------------------------------------------------------------------------------------
// 基本方針 (basic policy)

function basicPolicyJa(f: Facts): PolicyDocument {
	const name = f.company + (f.corporateNumber ? `（法人番号 ${f.corporateNumber}）` : '');
	const sections: Draft[] = [
		art('事業者の名称', p(`${name}`), p(`所在地：${f.address ?? blank('所在地')}`)),
		art(
			'関係法令・ガイドライン等の遵守',
			p(
				'当社は、行政手続における特定の個人を識別するための番号の利用等に関する法律（番号法）、個人情報の保護に関する法律、個人情報保護委員会の「特定個人情報の適正な取扱いに関するガイドライン（事業者編）」その他の関係法令等を守り、個人番号及び特定個人情報（以下「特定個人情報等」という。）を適正に取り扱います。'
			)
		),
		art(
			'利用目的',
			p('当社は、特定個人情報等を次の事務に限って利用し、それ以外の目的には、本人の同意があっても利用しません。個人番号の提供を求めるときは、あらかじめ本人に利用目的を通知します。'),
			f.purposes.length ? ol(...f.purposes) : ol(blank('利用目的（例：源泉徴収票の作成事務）'))
		),
		art(
			'安全管理措置に関する事項',
			p(
				'当社は、特定個人情報等の漏えい、滅失又は毀損を防ぎ、適切に管理するため、特定個人情報等取扱規程を定め、組織的、人的、物理的及び技術的な安全管理措置を講じます。事務取扱責任者を置き、特定個人情報等を取り扱う事務取扱担当者を明確にします。'
			),
			p(`事務取扱責任者：${f.responsible.length ? f.responsible.join('、') : blank('事務取扱責任者の役職・氏名')}`),
			p(
				'個人番号等は、従業員等の端末で暗号化してから送信し、暗号化されたまま保管するシステムで取り扱います。個人番号を表示するたびに理由を記録し、取扱いの記録を事務取扱責任者が定期的に確認します。'
			)
		),
		art(
			'委託先の監督',
			f.office
				? p(`当社は、個人番号関係事務の全部又は一部を${f.office}に委託しています。委託先が当社と同等の安全管理措置を講じるよう、契約を結び、取扱状況を確認するなど、必要かつ適切な監督を行います。`)
				: p('当社が個人番号関係事務を委託するときは、委託先が当社と同等の安全管理措置を講じるよう、契約を結び、取扱状況を確認するなど、必要かつ適切な監督を行います。')
		),
		art('継続的な改善', p(`当社は、この基本方針及び取扱規程を${blank('年1回')}及び関係法令等の改正の際に見直し、特定個人情報等の取扱いを継続的に改善します。`)),
		art(
			'質問及び苦情処理の窓口',
			p('特定個人情報等の取扱いに関するご質問及び苦情は、次の窓口でお受けします。'),
			ul(`窓口：${blank('部署名・担当者')}`, `所在地：${f.address ?? blank('所在地')}`, `電話：${blank('電話番号')}`, `電子メール：${blank('メールアドレス')}`)
		)
	];
	return {
		kind: 'basic_policy',
		locale: 'ja',
		title: '特定個人情報等の適正な取扱いに関する基本方針',
		meta: [f.company, `作成日：${f.date}`],
		note: 'これは mynumber-vault が作成したひな形です。【 】の箇所を記入し、当社の実態に合わせて修正してから制定してください。法令・ガイドラインの内容は原文でご確認ください。',
		intro: [`${f.company}（以下「当社」という。）は、従業員等の個人番号を適正に取り扱うことを社会的責任と考え、組織として取り組むため、次のとおり基本方針を定めます。`],
		chapters: numberSections(sections, 'ja'),
		closingHeading: null,
		closing: [`制定日：${blank('　　年　　月　　日')}`, f.company, blank('代表者の役職・氏名')]
	};
}

function basicPolicyEn(f: Facts): PolicyDocument {
	const name = f.company + (f.corporateNumber ? ` (Corporate Number ${f.corporateNumber})` : '');
	const sections: Draft[] = [
		art('Name of the business', p(name), p(`Address: ${f.address ?? blank('address')}`)),
		art(
			'Compliance with laws and guidelines',
			p(
				'The Company complies with the Act on the Use of Numbers to Identify a Specific Individual in Administrative Procedures (the My Number Act), the Act on the Protection of Personal Information, the Personal Information Protection Commission\'s "Guidelines for the Proper Handling of Specific Personal Information (Businesses)" and other applicable rules, and handles Individual Numbers and Specific Personal Information ("Specific Personal Information, etc.") properly.'
			)
		),
		art(
			'Purposes of use',
			p('The Company uses Specific Personal Information, etc. only for the following work, and never for any other purpose, even with the person\'s consent. Before asking for an Individual Number, it tells the person these purposes.'),
			f.purposes.length ? ol(...f.purposes) : ol(blank('purposes of use, e.g. withholding tax slips'))
		),
		art(
			'Safety management measures',
			p(
				'To prevent leaks, loss or damage and to manage Specific Personal Information, etc. properly, the Company has adopted Rules for Handling Specific Personal Information and takes organisational, human, physical and technical safety management measures. It appoints a person responsible for the handling and clearly identifies the staff who handle it.'
			),
			p(`Person responsible: ${f.responsible.length ? f.responsible.join(', ') : blank('title and name of the person responsible')}`),
			p(
				"Individual Numbers are handled in a system that encrypts them on the person's own device before they are sent and keeps them encrypted. Each time a number is displayed a reason is recorded, and the person responsible reviews the handling records regularly."
			)
		),
		art(
			'Supervision of contractors',
			f.office
				? p(`The Company has entrusted all or part of its Individual Number work to ${f.office}. It supervises the contractor as necessary and appropriate, by contract and by checking how the data is handled, so that the contractor takes measures equivalent to its own.`)
				: p('When the Company entrusts Individual Number work to a contractor, it supervises the contractor as necessary and appropriate, by contract and by checking how the data is handled, so that the contractor takes measures equivalent to its own.')
		),
		art('Continuous improvement', p(`The Company reviews this policy and its handling rules ${blank('once a year')} and whenever the applicable laws change, and keeps improving its handling of Specific Personal Information, etc.`)),
		art(
			'Contact point for questions and complaints',
			p('Questions and complaints about the handling of Specific Personal Information, etc. are received at:'),
			ul(`Contact: ${blank('department and person')}`, `Address: ${f.address ?? blank('address')}`, `Telephone: ${blank('telephone number')}`, `E-mail: ${blank('e-mail address')}`)
		)
	];
	return {
		kind: 'basic_policy',
		locale: 'en',
		title: 'Basic Policy on the Proper Handling of Specific Personal Information',
		meta: [f.company, `Prepared: ${f.date}`],
		note: 'This is a template made by mynumber-vault. Fill in the places marked 【 】 and adapt it to the Company before adopting it. Check the laws and guidelines against their original text. The Japanese version is the one to file with Japanese authorities.',
		intro: [`${f.company} (the "Company") regards the proper handling of Individual Numbers as a social responsibility and adopts the following basic policy to address it as an organisation.`],
		chapters: numberSections(sections, 'en'),
		closingHeading: null,
		closing: [`Adopted on: ${blank('date')}`, f.company, blank('title and name of the representative')]
	};
}

// ---------------------------------------------------------------------------------------------
// 取扱規程 (handling rules)

function handlingRulesJa(f: Facts): PolicyDocument {
	const names = (list: string[], what: string) => (list.length ? ul(...list) : ul(blank(what)));
	const chapters: { title: string; articles: Draft[] }[] = [
		{
			title: '総則',
			articles: [
				art(
					'目的',
					p(
						`この規程は、${f.company}（以下「当社」という。）が個人番号及び特定個人情報（以下「特定個人情報等」という。）を適正に取り扱うため、取得、利用、保存、提供、削除・廃棄の各段階における取扱いの方法、事務取扱責任者及び事務取扱担当者とその任務、並びに安全管理措置について定める。`
					)
				),
				art(
					'定義',
					p('この規程で使う用語の意味は、次のとおりとする。'),
					ol(
						'個人番号：番号法に定める個人番号（12桁の番号）をいう。',
						'特定個人情報：個人番号をその内容に含む個人情報をいう。',
						'個人番号関係事務：当社が法令に基づき従業員等の個人番号を記載した書類を作成し、行政機関等に提出する事務をいう。',
						'従業員等：当社の役員及び従業員（採用が決まった者及び退職者を含む。）、その扶養親族、並びに当社が報酬等を支払う取引先等の個人をいう。',
						'本システム：当社が特定個人情報等の収集、保管、利用及び廃棄に用いるシステム（mynumber-vault）をいう。',
						'取扱い履歴：本システムが自動的に記録する操作の記録（サインイン、番号の閲覧とその理由、出力、通知書の発行、確認、廃棄、権限の変更等）をいう。'
					)
				),
				art('適用範囲', p('この規程は、当社の役員及び従業員（派遣労働者を含む。）のうち、特定個人情報等の取扱いに従事する者に適用する。'))
			]
		},
		{
			title: '組織体制',
			articles: [
				art(
					'事務取扱責任者',
					p('当社は、特定個人情報等の取扱いについて責任を負う事務取扱責任者（以下「責任者」という。）として、次の者を置く。'),
					names(f.responsible, '事務取扱責任者の役職・氏名'),
					p('責任者は、次の任務を行う。'),
					ol(
						'この規程の周知と、規程に従った取扱いが行われているかの確認',
						'事務取扱担当者の指名と解除、並びに本システムでの権限（鍵）の付与と解除',
						`取扱い履歴の定期的な確認（${blank('毎月')}）と、確認した記録の保管`,
						'特定個人情報等の廃棄の実施と、廃棄証明書の保管',
						'漏えい等の事案が発生したときの対応の統括',
						'委託先の監督'
					)
				),
				art(
					'事務取扱担当者',
					p('特定個人情報等を取り扱う事務取扱担当者（以下「担当者」という。）は、次の者とする。責任者は、担当者の事務を兼ねることができる。'),
					names(f.clerks, '事務取扱担当者の役職・氏名'),
					p('担当者は、この規程及び責任者の指示に従い、個人番号関係事務に必要な範囲に限って特定個人情報等を取り扱う。'),
					p('担当者は、この規程に違反する事実又はその兆候に気づいたときは、直ちに責任者に報告する。')
				),
				art(
					'本システムの役割との対応',
					p('責任者及び担当者は、本システムにおいて、それぞれ「事務取扱責任者」又は「事務取扱担当者」として当社の権限を付与された者とする。担当者を変更したときは、責任者は直ちに本システムの権限を変更する。権限を解除すると、以後のデータは新しい鍵で保護される。')
				)
			]
		},
		{
			title: '取得',
			articles: [
				art(
					'利用目的の通知',
					p('当社は、個人番号の提供を求めるときは、あらかじめ本人に次の利用目的を通知する。'),
					f.purposes.length ? ol(...f.purposes) : ol(blank('利用目的')),
					p('利用目的は、本システムが作成する通知書と本人の画面に表示され、本人はこれを確認したうえで提出する。利用目的を追加するときは、改めて本人に通知する。')
				),
				art(
					'提供の求めの制限',
					p('個人番号の提供を求めるのは、個人番号関係事務を処理するために必要な場合に限る。採用選考の段階では求めず、採用が決まった後に求める。')
				),
				art(
					'本人確認',
					p('個人番号の提供を受けるときは、番号法第16条に従い、番号確認と身元確認を行う。'),
					p('担当者は、本システムで本人確認書類の画像と入力された番号を照合し、書類の組み合わせに応じた確認項目（本システムの確認画面に表示される。）をすべて確認してから受け付ける。不備があるときは、理由を付けて差し戻す。'),
					p('郵送又は窓口で書類の写しを受け取ったときは、担当者が本システムに代理で入力し、紙の写しは「削除・廃棄」の章に従って廃棄する。')
				),
				art('提供を受けられない場合', p('本人が個人番号の提供を拒んだときは、法令上記載が必要であることを説明し、依頼と回答の経過を本システムに記録する。提供を強要してはならない。'))
			]
		},
		{
			title: '利用',
			articles: [
				art('利用の範囲', p('特定個人情報等は、利用目的の範囲内でのみ利用する。本人の同意があっても利用目的を超えて利用しない。個人番号を社員番号その他の管理番号として使わない。')),
				art(
					'閲覧',
					p('担当者は、個人番号を画面に表示するときは、その都度、本システムに理由（利用目的）を入力する。本システムは、理由を取扱い履歴に記録してから暗号化されたデータを担当者のブラウザに渡す。'),
					p('個人番号を書き写し、印刷し、又は画面を撮影してはならない。コピーした番号は30秒後にクリップボードから消去されるが、貼り付けた先に残った番号は担当者が削除する。')
				),
				art(
					'出力',
					p('届出書類の作成等のためにファイルを出力するときは、出力の理由を入力し、必要な者と必要な項目に限って出力する。'),
					p('出力したファイルは特定個人情報ファイルとして取り扱い、パスフレーズで暗号化して保存又は受け渡しし、使い終えたら速やかに削除する。')
				),
				art('特定個人情報ファイルの作成の制限', p('個人番号関係事務を処理するために必要な範囲を超えて、特定個人情報ファイルを作成しない。'))
			]
		},
		{
			title: '保存',
			articles: [
				art(
					'保管の方法',
					p('特定個人情報等は、本システムにおいて、本人又は担当者の端末で暗号化したうえで保管する。暗号を解く鍵は、責任者が権限を付与した責任者及び担当者だけが持つ。'),
					p(
						f.imageDays !== null
							? `本人確認書類の画像は、受け付けた日から${f.imageDays}日後に本システムが自動的に削除する。`
							: '本人確認書類の画像は、廃棄するまで暗号化して保管する。'
					),
					p(`書類の写しなど紙の特定個人情報等は、${blank('施錠できる書庫')}に保管する。`)
				),
				art(
					'保存期間',
					p('特定個人情報等は、個人番号関係事務を処理する必要がある間に限り保管する。退職者等の特定個人情報等は、関係書類の法定保存期間が経過するまで保管し、経過した後は「削除・廃棄」の章に従って廃棄する。利用目的ごとの保存期間は、次のとおりとする（複数の利用目的があるときは、最も遅く終わる期間による。）。'),
					f.retention.length ? ul(...f.retention.map((r) => retentionText(r, 'ja'))) : ul(blank('利用目的ごとの保存期間'))
				),
				art(
					'回復キットの保管',
					p(`本システムの回復キット（会社の鍵を記載した文書）は、責任者が${blank('金庫など施錠できる場所')}に保管し、複製及び持出しをしない。回復キットを新しくしたときは、古いものを復元できない方法で廃棄する。`)
				)
			]
		},
		{
			title: '提供',
			articles: [
				art('提供の制限', p('特定個人情報等は、番号法第19条各号に該当する場合を除き、提供しない。')),
				art('行政機関等への提出', p(`個人番号関係事務として税務署、市区町村、年金事務所、公共職業安定所等に書類を提出するときは、${blank('電子申請又は簡易書留など記録の残る方法')}により提出する。`)),
				art(
					'委託先への提供',
					f.office
						? p(`個人番号関係事務の委託先である${f.office}の取扱者には、責任者が本システムで権限を付与することにより取扱いを認める。委託先の操作も取扱い履歴に記録され、責任者が確認する。`)
						: p('個人番号関係事務を委託するときは、責任者が本システムで委託先の取扱者に権限を付与することにより取扱いを認める。委託先の操作も取扱い履歴に記録され、責任者が確認する。')
				)
			]
		},
		{
			title: '削除・廃棄',
			articles: [
				art(
					'廃棄の時期',
					p(`保存期間を経過した特定個人情報等は、できるだけ速やかに廃棄する。当社は、毎年度末（${blank('3月')}）に、保存期間を経過した者の特定個人情報等をまとめて廃棄する。本システムは、退職日と利用目的から廃棄できる日を計算し、年度の最終月に知らせる。`)
				),
				art(
					'廃棄の方法',
					p('本システム上のデータは、責任者が本システムの廃棄機能により削除する。提出記録、本人確認書類の画像、氏名等の名簿情報及びサインイン情報はデータベースから物理的に削除され、復元できない。'),
					p(`紙の書類は${blank('シュレッダーによる裁断、溶解処理など')}の復元できない方法で廃棄し、出力したファイルは完全に削除する。`),
					p(`本システムのデータベースのバックアップに残る暗号化されたデータは、バックアップの保存期間（${blank('日数')}）の経過とともに消去されるよう管理する。`)
				),
				art('廃棄の記録', p('廃棄したときは、本システムが廃棄の日時、対象者のコード、廃棄した記録の種類と件数、責任者及び実施者を記録する。責任者は廃棄証明書（PDF）を出力して保管する。廃棄の記録には個人番号及び氏名を含めない。'))
			]
		},
		{
			title: '安全管理措置',
			articles: [
				art(
					'組織的安全管理措置',
					ol(
						'責任者及び担当者をこの規程で明確にし、本システムの権限と一致させる。',
						'取扱いの記録は本システムの取扱い履歴による。取扱い履歴は自動的に記録され、追記のみで書き換えることができず、改ざんはハッシュチェーンの検証で発見できる。',
						`責任者は、取扱い履歴を${blank('毎月')}確認し、利用目的に合わない閲覧や出力がないかを確かめ、取扱い履歴の報告書を出力して${blank('保管期間')}保管する。`,
						`漏えい等の事案に備え、担当者から責任者への報告、責任者から${blank('代表者など')}への報告の連絡体制を定める。`,
						'取扱状況を定期的に点検し、その結果に基づき安全管理措置を見直す。'
					)
				),
				art(
					'人的安全管理措置',
					ol(
						'責任者は、担当者がこの規程に従って特定個人情報等を取り扱うよう監督する。',
						`当社は、担当者に対し、特定個人情報等の適正な取扱いに関する研修を${blank('年1回')}行う。`,
						`特定個人情報等に関する秘密の保持について、${blank('就業規則・誓約書など')}に定める。`
					)
				),
				art(
					'物理的安全管理措置',
					ol(
						`特定個人情報等を取り扱う区域は${blank('総務部の執務室など')}とし、権限のない者から画面をのぞき見されない配置とする。`,
						`担当者は、${blank('当社が管理するパソコン')}のブラウザでのみ本システムの鍵を開く。離席するときは画面をロックする。本システムは${f.idle}分間操作がないと鍵を自動的に閉じる。`,
						`特定個人情報等を含む書類又は電子媒体を持ち出すときは、責任者の許可を得て${blank('持出し記録簿')}に記録し、電子ファイルはパスフレーズで暗号化する。`,
						'削除・廃棄は「削除・廃棄」の章による。'
					)
				),
				art(
					'技術的安全管理措置',
					ol(
						'アクセス制御：特定個人情報等を開く鍵は、責任者が権限を付与した者だけが持つ。権限の付与は、責任者が本人の鍵のフィンガープリントを照合してから行う。',
						'識別と認証：本システムは各人に固有のユーザーIDで利用し、ID、パスワード、鍵のパスフレーズ及びパスキーを他人と共有しない。',
						`外部からの不正アクセス等の防止：特定個人情報等はブラウザで暗号化され、サーバーには暗号化されたデータだけが保管される。担当者の端末は、OS及びブラウザを最新に保ち、${blank('ウイルス対策ソフト')}を使用する。`,
						`情報漏えい等の防止：本システムへの通信は${blank('HTTPS（TLS）')}で暗号化する。出力したファイルは暗号化して扱う。`
					)
				)
			]
		},
		{
			title: '委託',
			articles: [
				art(
					'委託先の監督',
					...(f.office ? [p(`当社は、個人番号関係事務の全部又は一部を${f.office}に委託する。`)] : []),
					p('個人番号関係事務を委託するときは、委託先が当社と同等の安全管理措置を講じることを確認し、秘密の保持、目的外利用の禁止、再委託の条件、漏えい等の事案が発生したときの責任、契約終了時の返却又は削除、従業者の監督について契約で定め、取扱状況を定期的に確認する。'),
					p('委託先が再委託するときは、当社の許諾を得なければならない。')
				)
			]
		},
		{
			title: '漏えい等の事案への対応',
			articles: [
				art(
					'事案への対応',
					p('漏えい、滅失又は毀損の事案又はそのおそれを知った者は、直ちに責任者に報告する。'),
					p('責任者は、取扱い履歴の確認を含めて事実関係を調べ、影響の範囲を特定し、被害の拡大防止と再発防止の措置を講じる。法令に基づき、個人情報保護委員会への報告及び本人への通知を行う。')
				)
			]
		},
		{
			title: '雑則',
			articles: [art('見直し', p(`この規程は、${blank('年1回')}及び関係法令等の改正の際に見直す。`)), art('改廃', p(`この規程の改廃は、${blank('代表者・取締役会など')}の承認を得て行う。`))]
		}
	];
	return {
		kind: 'handling_rules',
		locale: 'ja',
		title: '特定個人情報等取扱規程',
		meta: [f.company, `作成日：${f.date}`],
		note: 'これは mynumber-vault が作成したひな形です。【 】の箇所を記入し、当社の実態に合わせて修正してから制定してください。法令・ガイドラインの内容は原文でご確認ください。',
		intro: [],
		chapters: numberRules(chapters, 'ja'),
		closingHeading: '附則',
		closing: [`この規程は、${blank('　　年　　月　　日')}から施行する。`]
	};
}

function handlingRulesEn(f: Facts): PolicyDocument {
	const names = (list: string[], what: string) => (list.length ? ul(...list) : ul(blank(what)));
	const chapters: { title: string; articles: Draft[] }[] = [
		{
			title: 'General provisions',
			articles: [
				art(
					'Purpose',
					p(
						`These rules set out how ${f.company} (the "Company") handles Individual Numbers and Specific Personal Information ("Specific Personal Information, etc.") at each stage (collection, use, storage, provision, deletion and disposal), who is responsible for it and who handles it, their duties, and the safety management measures.`
					)
				),
				art(
					'Definitions',
					p('In these rules:'),
					ol(
						'"Individual Number" means the 12-digit number defined in the My Number Act.',
						'"Specific Personal Information" means personal information that contains an Individual Number.',
						'"Individual Number work" means preparing documents that carry employees\' Individual Numbers and filing them with public bodies as the law requires.',
						'"Employees, etc." means the Company\'s officers and employees (including people whose hiring has been decided and people who have left), their dependents, and individuals to whom the Company pays fees.',
						'"The System" means mynumber-vault, the system the Company uses to collect, keep, use and dispose of Specific Personal Information, etc.',
						'"Handling history" means the records the System keeps automatically of sign-ins, views of numbers and their reasons, exports, request letters, checks, disposals, changes of access and similar operations.'
					)
				),
				art('Scope', p('These rules apply to the Company\'s officers and employees (including agency workers) who handle Specific Personal Information, etc.'))
			]
		},
		{
			title: 'Organisation',
			articles: [
				art(
					'Person responsible',
					p('The Company appoints the following as the persons responsible for the handling of Specific Personal Information, etc. ("persons responsible"):'),
					names(f.responsible, 'title and name of the person responsible'),
					p('The persons responsible:'),
					ol(
						'make these rules known and check that the handling follows them;',
						'appoint and remove handling staff, and grant and remove their access (keys) in the System;',
						`review the handling history regularly (${blank('every month')}) and keep a record of the review;`,
						'dispose of Specific Personal Information, etc. and keep the disposal certificates;',
						'direct the response to any leak or similar incident;',
						'supervise contractors.'
					)
				),
				art(
					'Handling staff',
					p('The following staff handle Specific Personal Information, etc. ("handling staff"). A person responsible may also act as handling staff.'),
					names(f.clerks, 'title and name of the handling staff'),
					p('Handling staff handle Specific Personal Information, etc. only as far as the Individual Number work requires, following these rules and the instructions of the persons responsible.'),
					p('Handling staff who notice a breach of these rules, or a sign of one, report it to a person responsible at once.')
				),
				art(
					'Roles in the System',
					p('The persons responsible and the handling staff are the users granted access to the Company in the System as "person responsible" (事務取扱責任者) or "handling staff" (事務取扱担当者). When the staff change, a person responsible changes their access in the System at once (after a removal, new data is protected by new keys).')
				)
			]
		},
		{
			title: 'Collection',
			articles: [
				art(
					'Notice of the purposes of use',
					p('Before asking for an Individual Number, the Company tells the person the following purposes of use:'),
					f.purposes.length ? ol(...f.purposes) : ol(blank('purposes of use')),
					p('The System prints the purposes on the request letter and shows them on the person\'s screen, and the person acknowledges them before submitting. A purpose that is added is notified again.')
				),
				art('Limits on requests', p('The Company asks for an Individual Number only when the Individual Number work requires it. It does not ask during recruitment, only once hiring has been decided.')),
				art(
					'Identity checks',
					p('When receiving an Individual Number, the Company checks both the number and the person\'s identity, as Article 16 of the My Number Act requires.'),
					p('Handling staff compare, in the System, the photos of the identity documents with the number entered, and accept a submission only after every check its combination of documents requires (the System\'s verification screen lists them). Otherwise they return it with a reason.'),
					p('Copies received by post or at the desk are entered into the System by handling staff, and the paper copies are disposed of under the chapter "Deletion and disposal".')
				),
				art('When a number is not provided', p('When a person declines to provide their number, the Company explains that the law requires it on the filing and records the requests and the answers in the System. It never pressures the person.'))
			]
		},
		{
			title: 'Use',
			articles: [
				art('Scope of use', p('Specific Personal Information, etc. is used only within the purposes of use, never beyond them even with the person\'s consent. Individual Numbers are never used as employee numbers or other identifiers.')),
				art(
					'Viewing',
					p('Each time handling staff display an Individual Number, they enter the reason (the purpose of use) in the System. The System records the reason in the handling history before it hands the encrypted data to their browser.'),
					p('Individual Numbers are not copied down, printed or photographed from the screen. A copied number is cleared from the clipboard after 30 seconds; handling staff delete it from wherever they pasted it.')
				),
				art(
					'Export',
					p('When a file is exported, for example to prepare a filing, the reason is entered and only the people and items needed are exported.'),
					p('An exported file is a Specific Personal Information file: it is kept and passed on encrypted with a passphrase, and deleted as soon as it is no longer needed.')
				),
				art('Limits on files', p('No Specific Personal Information file is made beyond what the Individual Number work requires.'))
			]
		},
		{
			title: 'Storage',
			articles: [
				art(
					'How data is kept',
					p('Specific Personal Information, etc. is kept in the System, encrypted on the person\'s or the handling staff\'s device. Only the persons responsible and the handling staff granted access by a person responsible hold the keys that decrypt it.'),
					p(f.imageDays !== null ? `The System deletes the photos of identity documents automatically ${f.imageDays} days after the submission was accepted.` : 'The photos of identity documents are kept encrypted until disposal.'),
					p(`Paper copies are kept in ${blank('a locked cabinet')}.`)
				),
				art(
					'Retention periods',
					p('Specific Personal Information, etc. is kept only while the Individual Number work requires it. That of people who have left is kept until the statutory retention period of the related documents has passed, and then disposed of under the chapter "Deletion and disposal". The retention periods per purpose are (with several purposes, the one that ends last applies):'),
					f.retention.length ? ul(...f.retention.map((r) => retentionText(r, 'en'))) : ul(blank('retention period per purpose'))
				),
				art('Keeping the recovery kit', p(`The System's recovery kit (a document with the Company's keys) is kept by a person responsible in ${blank('a safe or other locked place')}, never copied or taken out. When a new kit is made, the old one is destroyed so it cannot be restored.`))
			]
		},
		{
			title: 'Provision',
			articles: [
				art('Limits on provision', p('Specific Personal Information, etc. is provided to others only in the cases listed in Article 19 of the My Number Act.')),
				art('Filings with public bodies', p(`Documents filed with the tax office, the municipality, the pension office, Hello Work and similar bodies are sent by ${blank('e-filing, registered mail or another traceable method')}.`)),
				art(
					'Provision to contractors',
					f.office
						? p(`Staff of ${f.office}, the contractor for the Individual Number work, may handle the data once a person responsible grants them access in the System. Their operations are recorded in the handling history, which the persons responsible review.`)
						: p('When the Individual Number work is entrusted to a contractor, its staff may handle the data once a person responsible grants them access in the System. Their operations are recorded in the handling history, which the persons responsible review.')
				)
			]
		},
		{
			title: 'Deletion and disposal',
			articles: [
				art(
					'When',
					p(`Specific Personal Information, etc. whose retention period has passed is disposed of as soon as possible. The Company disposes of it in one batch at the end of each fiscal year (${blank('March')}). The System computes when each person may be disposed of from the leaving date and the purposes, and reminds in the last month of the fiscal year.`)
				),
				art(
					'How',
					p('Data in the System is deleted by a person responsible with the System\'s disposal function: the submitted records, the photos of identity documents, the name and roster data and the sign-in data are physically deleted from the database and cannot be restored.'),
					p(`Paper is destroyed so that it cannot be restored (${blank('shredding, pulping, etc.')}), and exported files are deleted completely.`),
					p(`Encrypted data left in backups of the System's database is managed so that it disappears when the backups expire (${blank('number of days')}).`)
				),
				art('Records', p('The System records each disposal: the time, the codes of the people, the kinds and numbers of records deleted, the person responsible and who carried it out. A person responsible downloads the disposal certificate (PDF) and keeps it. Disposal records contain no Individual Number and no name.'))
			]
		},
		{
			title: 'Safety management measures',
			articles: [
				art(
					'Organisational measures',
					ol(
						'The persons responsible and the handling staff are named in these rules and match the access granted in the System.',
						'Handling is recorded in the System\'s handling history, which is written automatically, append-only and cannot be changed; tampering shows when its hash chain is verified.',
						`A person responsible reviews the handling history ${blank('every month')} for views or exports outside the purposes of use, and keeps the exported history report for ${blank('period')}.`,
						`For incidents, handling staff report to a person responsible, who reports to ${blank('the representative, etc.')}.`,
						'The handling is checked regularly and the measures are reviewed accordingly.'
					)
				),
				art(
					'Human measures',
					ol(
						'The persons responsible supervise the handling staff so that they follow these rules.',
						`The Company trains the handling staff in the proper handling of Specific Personal Information ${blank('once a year')}.`,
						`Confidentiality is set out in ${blank('the work rules, a written pledge, etc.')}.`
					)
				),
				art(
					'Physical measures',
					ol(
						`Specific Personal Information, etc. is handled in ${blank('the general affairs office, etc.')}, arranged so that no unauthorised person can see the screens.`,
						`Handling staff unlock their keys in the System only in the browser of ${blank('a computer the Company manages')}, and lock the screen when they leave it. The System closes the keys after ${f.idle} minutes without activity.`,
						`Documents or media containing Specific Personal Information, etc. are taken out only with a person responsible's permission, recorded in ${blank('the log of media taken out')}, with electronic files encrypted with a passphrase.`,
						'Deletion and disposal follow the chapter "Deletion and disposal".'
					)
				),
				art(
					'Technical measures',
					ol(
						'Access control: only people granted access by a person responsible hold the keys that open Specific Personal Information, etc. A person responsible grants access only after comparing the person\'s key fingerprint.',
						'Identification and authentication: everyone uses the System with their own user ID and never shares their ID, password, key passphrase or passkeys.',
						`Protection from unauthorised access: Specific Personal Information, etc. is encrypted in the browser and the server keeps only encrypted data. Handling staff's computers keep their operating system and browser up to date and run ${blank('anti-virus software')}.`,
						`Leak prevention: connections to the System are encrypted with ${blank('HTTPS (TLS)')}, and exported files are handled encrypted.`
					)
				)
			]
		},
		{
			title: 'Contractors',
			articles: [
				art(
					'Supervision of contractors',
					...(f.office ? [p(`The Company entrusts all or part of its Individual Number work to ${f.office}.`)] : []),
					p('Before entrusting Individual Number work, the Company confirms that the contractor takes measures equivalent to its own, sets out in the contract confidentiality, no use outside the purpose, the conditions for subcontracting, liability for leaks, return or deletion at the end of the contract and the supervision of the contractor\'s staff, and checks the handling regularly.'),
					p('A contractor may subcontract only with the Company\'s permission.')
				)
			]
		},
		{
			title: 'Incidents',
			articles: [
				art(
					'Response to incidents',
					p('Anyone who learns of a leak, loss or damage, or the risk of one, reports it to a person responsible at once.'),
					p('The person responsible establishes the facts (including from the handling history), determines the extent, takes measures to contain it and prevent recurrence, and reports to the Personal Information Protection Commission and notifies the people concerned as the law requires.')
				)
			]
		},
		{
			title: 'Miscellaneous',
			articles: [art('Review', p(`These rules are reviewed ${blank('once a year')} and whenever the applicable laws change.`)), art('Amendment', p(`These rules are amended with the approval of ${blank('the representative, the board, etc.')}.`))]
		}
	];
	return {
		kind: 'handling_rules',
		locale: 'en',
		title: 'Rules for Handling Specific Personal Information',
		meta: [f.company, `Prepared: ${f.date}`],
		note: 'This is a template made by mynumber-vault. Fill in the places marked 【 】 and adapt it to the Company before adopting it. Check the laws and guidelines against their original text. The Japanese version is the one to file with Japanese authorities.',
		intro: [],
		chapters: numberRules(chapters, 'en'),
		closingHeading: 'Supplementary provision',
		closing: [`These rules take effect on ${blank('date')}.`]
	};
}

// ---------------------------------------------------------------------------------------------
// 技術的安全管理措置の概要 (summary of the technical measures)
//
// Every sentence here describes code that exists (README "What it does today",
// docs/security-model.md); what the customer operates (TLS, devices) stays a 【 】.

function technicalSummaryJa(f: Facts): PolicyDocument {
	const sections: Draft[] = [
		art(
			'ブラウザでの暗号化（サーバーは平文を持たない）',
			ul(
				'個人番号、氏名・住所、扶養親族、本人確認書類の画像は、従業員のスマートフォン（代理入力では担当者のブラウザ）で会社の公開鍵に対して age 形式（X25519 と ML-KEM-768 のハイブリッド）で暗号化してから送信します。確認済みの記録と名簿は会社のデータ鍵（XChaCha20-Poly1305）で暗号化します。画像は暗号化の前に位置情報などのメタデータを取り除きます。',
				'サーバー、データベース及びバックアップにあるのは暗号文、公開鍵、署名、状態と取扱い履歴だけで、秘密鍵も、平文の個人番号・氏名・住所・画像もありません。'
			)
		),
		art(
			'会社ごとの役割によるアクセス制御',
			ul(
				'会社の鍵は責任者のブラウザで作られ、権限を付与された責任者・担当者の鍵にだけ封入されます。付与は、責任者が相手の鍵のフィンガープリントを照合してから行い、解除すると以後は新しい鍵に切り替わります。',
				'サーバーは会社ごとの役割（事務取扱責任者・事務取扱担当者）で操作を制限します。権限の付与、廃棄及び会社の取扱い履歴の報告書の出力は、責任者だけが行えます。'
			)
		),
		art(
			'識別・認証',
			ul(
				'担当者は各人に固有のユーザーIDと12文字以上のパスワードでサインインします。失敗が続くと待ち時間が延び、10回失敗すると15分間ロックします。管理者はパスキーによる2要素目を必須にできます。',
				'鍵を開くには、サインインとは別の鍵のパスフレーズ（サーバーには送られません）又はパスキー（PRF 対応のもの）が必要です。'
			)
		),
		art(
			'閲覧・出力の前に理由を記録',
			ul(
				'個人番号を表示する前に理由の入力が必要で、理由が取扱い履歴に記録されてから暗号文が渡されます（書類画像も1枚ごと）。理由に12桁の数字は入力できません。',
				'コピーした番号は30秒後にクリップボードから消去します。CSV 出力も理由の記録が先で、誰のどの列を出力したかが残ります（値は残りません）。パスフレーズで暗号化した age ファイルでも出力できます。'
			)
		),
		art(
			'改ざんできない取扱い履歴',
			ul(
				'サインイン、閲覧、出力、通知書、確認・差戻し、権限の変更、廃棄などを自動で記録します。記録は追記のみで、データベースが変更・削除を拒否し、ハッシュチェーンで連結されているため改ざんは検証で発見できます。',
				'責任者・担当者が鍵を開くたびに、そのブラウザが履歴の状態（チェックポイント）に電子署名するため、データベース上の履歴がまとめて書き換えられても検証で発見できます。',
				'責任者は期間・担当者・操作で絞り込み、報告書を PDF・CSV・Excel で出力できます。'
			)
		),
		art(
			'端末での保護となりすまし対策',
			ul(
				`復号した平文は担当者のブラウザのメモリ上にだけあり、ロック、サインアウト、再読み込みのとき及び${f.idle}分間操作がないときに消去されます。従業員のスマートフォンに残るのは暗号化された送信待ちデータだけで、番号・氏名・画像の平文は残りません。`,
				'提出は従業員の端末の鍵（代理入力では担当者の鍵）で署名され、会社の鍵の履歴はルート鍵で署名されています。担当者のブラウザが検証し、合わないものは表示しません。'
			)
		),
		art(
			'廃棄と復旧',
			ul(
				'責任者の廃棄操作で、提出記録、書類画像、名簿情報、サインイン情報をデータベースから物理的に削除します。番号も氏名も含まない廃棄記録が残り、廃棄証明書（PDF・Excel）を出力できます。',
				...(f.imageDays !== null ? [`書類画像は受け付けた${f.imageDays}日後に自動で削除します。`] : []),
				'回復キット（会社の鍵を記載した PDF）とデータベースのバックアップがあれば、サーバーなしで全データを取り出せます。回復キットの保管を確認するまで通知書は発行できません。'
			)
		),
		art(
			'前提と限界',
			ul(
				'サーバーが知るのは、会社名、社員番号などのコード、状態、日時、誰がいつ何をなぜ閲覧したかなどです。',
				`通信の暗号化（${blank('HTTPS の提供方法')}）、担当者の端末、表示した番号、出力したファイル、紙の書類及び廃棄前に取得したバックアップの管理は、当社の取扱規程によります。`
			)
		)
	];
	return {
		kind: 'technical_summary',
		locale: 'ja',
		title: '技術的安全管理措置の概要',
		meta: [f.company, `作成日：${f.date}`],
		note: `${f.company}が特定個人情報等の取扱いに用いるシステム mynumber-vault が講じている技術的な措置の概要です（作成日時点）。当社の記録として保管してください。`,
		intro: [],
		chapters: numberSections(sections, 'ja'),
		closingHeading: null,
		closing: []
	};
}

function technicalSummaryEn(f: Facts): PolicyDocument {
	const sections: Draft[] = [
		art(
			'Encryption in the browser (the server holds no plaintext)',
			ul(
				"Individual Numbers, names, addresses, dependents and photos of identity documents are encrypted on the employee's phone (or, for entry on behalf, in the handler's browser) to the company's public key in the age format (X25519 with ML-KEM-768 hybrid) before they are sent. Verified records and the roster are encrypted under the company's data key (XChaCha20-Poly1305). Location and other metadata are removed from photos before encryption.",
				'The server, its database and backups hold only ciphertext, public keys, signatures, statuses and the handling history: no private key, and no Individual Number, name, address or image in plaintext.'
			)
		),
		art(
			'Access control by role per company',
			ul(
				"The company's keys are made in a person responsible's browser and sealed only to the keys of the persons responsible and handling staff granted the company. A grant follows a comparison of the person's key fingerprint; a removal switches to new keys.",
				'The server limits operations by role per company (person responsible, handling staff). Only a person responsible grants access, disposes of data and exports the company\'s handling-history reports.'
			)
		),
		art(
			'Identification and authentication',
			ul(
				'Handlers sign in with their own user ID and a password of at least 12 characters. Repeated failures make each attempt wait longer, and ten lock the account for 15 minutes. An administrator can require a passkey as a second factor.',
				'Unlocking the keys needs a key passphrase separate from the sign-in password (never sent to the server), or a passkey with PRF support.'
			)
		),
		art(
			'A reason before every view and export',
			ul(
				'A reason must be given before an Individual Number is displayed; it is recorded in the handling history before the ciphertext is handed out (again for each document photo). A reason cannot contain 12 digits.',
				'A copied number is cleared from the clipboard after 30 seconds. CSV exports also record the reason first, with whose data and which columns (never the values), and can be encrypted with a passphrase as an age file.'
			)
		),
		art(
			'A handling history that cannot be altered',
			ul(
				'Sign-ins, views, exports, letters, checks and returns, access changes, disposals and more are recorded automatically. The record is append-only: the database refuses changes and deletions, and a hash chain links the entries so that verification reveals tampering.',
				"Each time a handler unlocks their keys, their browser signs a checkpoint of the chain, so a history rewritten in the database is detected by the verifier.",
				'A person responsible filters by period, user and operation and exports reports as PDF, CSV and Excel.'
			)
		),
		art(
			'Protection on devices and against forgery',
			ul(
				`Decrypted plaintext exists only in the memory of the handler's browser and is erased on lock, sign-out, reload and after ${f.idle} minutes without activity. Employees' phones keep only encrypted data waiting to be sent, never a number, name or photo in plaintext.`,
				"Submissions are signed with the employee's device key (for entry on behalf, the handler's key) and the company's key history with its root key; the handler's browser verifies both and refuses what does not match."
			)
		),
		art(
			'Disposal and recovery',
			ul(
				"A person responsible's disposal physically deletes the submitted records, document photos, roster data and sign-in data from the database. A disposal record without number or name remains, with a disposal certificate (PDF, Excel).",
				...(f.imageDays !== null ? [`Document photos are deleted automatically ${f.imageDays} days after acceptance.`] : []),
				"With the recovery kit (a PDF with the company's keys) and a database backup, all data can be recovered without the server. Request letters can be issued only once the kit's safekeeping is confirmed."
			)
		),
		art(
			'Assumptions and limits',
			ul(
				'The server knows company names, codes such as employee numbers, statuses, times, and who viewed what, when and why.',
				`Encryption in transit (${blank('how HTTPS is provided')}), handlers' devices, displayed numbers, exported files, paper and backups taken before a disposal are managed under the Company's handling rules.`
			)
		)
	];
	return {
		kind: 'technical_summary',
		locale: 'en',
		title: 'Technical Safety Management Measures: Summary',
		meta: [f.company, `Prepared: ${f.date}`],
		note: `A summary of the technical measures provided by mynumber-vault, the system ${f.company} uses to handle Specific Personal Information, as of the date above. Keep it with the Company's records.`,
		intro: [],
		chapters: numberSections(sections, 'en'),
		closingHeading: null,
		closing: []
	};
}

const BUILDERS: Record<PolicyKind, Record<PolicyLocale, (f: Facts) => PolicyDocument>> = {
	basic_policy: { ja: basicPolicyJa, en: basicPolicyEn },
	handling_rules: { ja: handlingRulesJa, en: handlingRulesEn },
	technical_summary: { ja: technicalSummaryJa, en: technicalSummaryEn }
};

/**
 * Builds one of the three documents in `input.locale`, filled with the company's facts.
 * @throws Error('invalid date') when `input.date` is not YYYY-MM-DD.
 * @throws Error('document contains a 12-digit number') when any input put something like a My
 * Number into the text (these documents must never carry one).
 */
export function buildPolicyDocument(kind: PolicyKind, input: PolicyInput): PolicyDocument {
	const doc = BUILDERS[kind][input.locale](facts(input));
	// Full-width digits count too: a number typed in 全角 is still a number.
	if (/(?<!\d)\d{12}(?!\d)/.test(policyToText(doc).normalize('NFKC'))) throw new Error('document contains a 12-digit number');
	return doc;
}

/**
 * The retention rule of each notified purpose, for `PolicyInput.retention`.
 * @param labelOf the purpose's name in the document's language.
 */
export function retentionLines(purposes: readonly Purpose[], labelOf: (purpose: Purpose) => string): RetentionLine[] {
	return purposes.map((purpose) => ({ label: labelOf(purpose), ...RETENTION[purpose] }));
}

/** A company member as `company.get` lists it (only what the documents need). */
export interface PolicyMember {
	role: 'responsible' | 'staff';
	active: boolean;
	displayName: string;
	loginId: string;
	orgName: string;
}

/**
 * The 責任者 and 担当者 labels and the serving office from the company's members: active members
 * only, as 「表示名（ログインID）」; a member of another organisation (a 社労士 office) gets that
 * office's name too, and such offices become `officeName`. An organisation named like the company
 * is the company itself (the disposal certificate decides the same way).
 */
export function rolesFromMembers(p: { members: readonly PolicyMember[]; companyName: string; locale: PolicyLocale }): { responsible: string[]; clerks: string[]; officeName: string | null } {
	const same = (a: string, b: string) => a.normalize('NFKC').replace(/\s+/g, '') === b.normalize('NFKC').replace(/\s+/g, '');
	const offices: string[] = [];
	const label = (m: PolicyMember) => {
		const office = same(m.orgName, p.companyName) ? null : m.orgName;
		if (office && !offices.includes(office)) offices.push(office);
		const inner = office ? [m.loginId, office] : [m.loginId];
		return p.locale === 'ja' ? `${m.displayName}（${inner.join('・')}）` : `${m.displayName} (${inner.join(', ')})`;
	};
	const active = p.members.filter((m) => m.active);
	const responsible = active.filter((m) => m.role === 'responsible').map(label);
	const clerks = active.filter((m) => m.role === 'staff').map(label);
	return { responsible, clerks, officeName: offices.length ? offices.join(p.locale === 'ja' ? '、' : ', ') : null };
}

// ---------------------------------------------------------------------------------------------
// Output: plain text (to paste into a word processor) and PDF.

function marker(style: 'numbered' | 'bulleted', i: number, locale: PolicyLocale): string {
	if (style === 'bulleted') return locale === 'ja' ? '・' : '- ';
	return locale === 'ja' ? `（${i + 1}）` : `(${String.fromCharCode(97 + (i % 26))}) `;
}

function notePrefix(locale: PolicyLocale): string {
	return locale === 'ja' ? '※ ' : 'Note: ';
}

function paragraphPrefix(number: number | undefined, locale: PolicyLocale): string {
	if (!number) return '';
	return locale === 'ja' ? `${number}　` : `${number}. `;
}

/**
 * The document as plain text, one paragraph a line (a word processor re-wraps it), `\n` line
 * ends, a trailing newline.
 */
export function policyToText(doc: PolicyDocument): string {
	const out: string[] = [doc.title, '', ...doc.meta, '', notePrefix(doc.locale) + doc.note, ''];
	for (const line of doc.intro) out.push(line, '');
	for (const chapter of doc.chapters) {
		if (chapter.heading) out.push(chapter.heading, '');
		for (const article of chapter.articles) {
			out.push(article.heading);
			for (const block of article.blocks) {
				if (block.kind === 'paragraph') out.push(paragraphPrefix(block.number, doc.locale) + block.text);
				else block.items.forEach((item, i) => out.push(`${doc.locale === 'ja' ? '　' : '  '}${marker(block.style, i, doc.locale)}${item}`));
			}
			out.push('');
		}
	}
	if (doc.closingHeading) out.push(doc.closingHeading);
	if (doc.closing.length) out.push(...doc.closing, '');
	return out.join('\n').replace(/\n+$/, '\n');
}

// Line breaking for mixed Japanese and Latin text. pdf.ts's wrapText breaks at spaces first, which
// in Japanese prose with an occasional Latin word (mynumber-vault, CSV) leaves half-empty lines;
// here Japanese breaks between any two characters, Latin words stay whole, and the usual 禁則
// applies: no line starts with closing punctuation or ends with an opening bracket.
const NO_START = new Set([...'、。，．）」』】〕〉》・ー：；？！ゃゅょっャュョッぁぃぅぇぉァィゥェォ,.;:)]!?']);
const NO_END = new Set([...'（「『【〔〈《([']);

function wrapMixed(text: string, font: { widthOfTextAtSize(t: string, s: number): number }, size: number, width: number): string[] {
	const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
	// Tokens: a run of printable ASCII (a Latin word, a number), one space, or one other character.
	const tokens = text.match(/[\x21-\x7e]+| |[^]/gu) ?? [];
	const lines: string[] = [];
	let line: string[] = [];
	const flush = () => {
		lines.push(line.join('').trimEnd());
		line = [];
	};
	for (const token of tokens) {
		if (fits(line.join('') + token)) {
			line.push(token);
			continue;
		}
		if (token === ' ') {
			flush();
			continue;
		}
		// Carry the last character over rather than start a line with 、 or end one with 「.
		const carry: string[] = [];
		// 「ごと）。」: the carried ） may itself not start a line, so carry until a character may.
		if (NO_START.has(token[0]!)) while (line.length > 1 && (carry.length === 0 || NO_START.has(carry[0]![0]!))) carry.unshift(line.pop()!);
		while (line.length > 1 && NO_END.has(line.at(-1)!.at(-1)!)) carry.unshift(line.pop()!);
		if (line.length) flush();
		line = carry;
		if (fits(line.join('') + token)) {
			line.push(token);
			continue;
		}
		// A Latin run longer than a line (a URL): break it between characters.
		for (const ch of token) {
			if (!fits(line.join('') + ch) && line.length) flush();
			line.push(ch);
		}
	}
	if (line.length || !lines.length) flush();
	return lines;
}

interface Sizes {
	title: number;
	meta: number;
	note: number;
	chapter: number;
	heading: number;
	body: number;
	leading: number;
}

const NORMAL: Sizes = { title: 16, meta: 9, note: 8, chapter: 12, heading: 10.5, body: 9.5, leading: 1.55 };
// The summary is promised on one page.
const COMPACT: Sizes = { title: 15, meta: 8.5, note: 8, chapter: 11, heading: 9.5, body: 8.5, leading: 1.45 };

/**
 * Renders a document as an A4 PDF (Noto Sans JP): title centred, company and date on the right,
 * the template note, then chapters and articles with hanging indents for numbered paragraphs and
 * list items; the title and page number at the foot of every page.
 * @param japaneseFont the bytes of NotoSansJP-Regular.otf.
 */
export async function renderPolicyPdf(p: { document: PolicyDocument; japaneseFont: Uint8Array }): Promise<Uint8Array> {
	const d = p.document;
	const s = d.kind === 'technical_summary' ? COMPACT : NORMAL;
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: `${d.title} — ${d.meta[0] ?? ''}`, author: d.meta[0] });
	const font = fonts.jp;
	const w = new PageWriter(doc, fonts);
	const black = rgb(0, 0, 0);
	const grey = rgb(0.35, 0.35, 0.35);

	/** Lines of `text` from `x` (with a prefix hanging in front of the first line), wrapping at the right margin. */
	const lines = (text: string, o: { size: number; indent?: number; prefix?: string; hang?: number; bold?: boolean; color?: ReturnType<typeof rgb>; keepWithNext?: number }) => {
		const indent = o.indent ?? 0;
		const hang = o.hang ?? (o.prefix ? font.widthOfTextAtSize(o.prefix, o.size) : 0);
		const leading = o.size * s.leading;
		const wrapped = wrapMixed(text, font, o.size, w.width - indent - hang);
		// Keep a heading with the first lines of what follows it.
		w.ensure(leading * Math.min(wrapped.length, 2) + (o.keepWithNext ?? 0));
		for (const [i, line] of wrapped.entries()) {
			w.ensure(leading);
			w.y -= leading;
			const y = w.y + o.size * 0.3;
			if (i === 0 && o.prefix) w.page.drawText(o.prefix, { x: w.margin + indent, y, size: o.size, font, color: o.color ?? black });
			if (!line) continue;
			w.page.drawText(line, { x: w.margin + indent + hang, y, size: o.size, font, color: o.color ?? black });
			// The embedded font has one weight: a heading is drawn twice, a hair apart.
			if (o.bold) w.page.drawText(line, { x: w.margin + indent + hang + 0.3, y, size: o.size, font, color: o.color ?? black });
		}
	};
	const centred = (text: string, size: number) => {
		for (const line of wrapMixed(text, font, size, w.width)) {
			w.ensure(size * 1.6);
			w.y -= size * 1.6;
			const x = w.margin + (w.width - font.widthOfTextAtSize(line, size)) / 2;
			w.page.drawText(line, { x, y: w.y + size * 0.3, size, font, color: black });
			w.page.drawText(line, { x: x + 0.4, y: w.y + size * 0.3, size, font, color: black });
		}
	};
	const right = (text: string, size: number) => {
		w.y -= size * 1.5;
		w.page.drawText(text, { x: w.margin + w.width - font.widthOfTextAtSize(text, size), y: w.y + size * 0.3, size, font, color: black });
	};

	centred(d.title, s.title);
	w.y -= s.title * 0.4;
	for (const line of d.meta) right(line, s.meta);
	w.y -= s.meta * 0.6;
	lines(notePrefix(d.locale) + d.note, { size: s.note, color: grey });
	w.y -= s.body * 0.6;
	for (const text of d.intro) {
		lines(text, { size: s.body });
		w.y -= s.body * 0.5;
	}
	for (const chapter of d.chapters) {
		if (chapter.heading) {
			w.y -= s.chapter * 0.5;
			lines(chapter.heading, { size: s.chapter, bold: true, keepWithNext: s.heading * 2 + s.body * 3 });
			w.y -= s.chapter * 0.2;
		}
		for (const article of chapter.articles) {
			lines(article.heading, { size: s.heading, bold: true, keepWithNext: s.body * s.leading * 2 });
			for (const block of article.blocks) {
				if (block.kind === 'paragraph') lines(block.text, { size: s.body, indent: block.number ? 0 : s.body, prefix: paragraphPrefix(block.number, d.locale) || undefined });
				else {
					// One hanging indent per list, so (a) and (d), or （1） and （10）, align their text.
					const markers = block.items.map((_, i) => marker(block.style, i, d.locale));
					const hang = Math.max(...markers.map((m) => font.widthOfTextAtSize(m, s.body)));
					block.items.forEach((item, i) => lines(item, { size: s.body, indent: s.body, prefix: markers[i], hang }));
				}
			}
			w.y -= s.body * 0.6;
		}
	}
	if (d.closing.length) {
		w.y -= s.body;
		if (d.closingHeading) lines(d.closingHeading, { size: s.heading, bold: true, keepWithNext: s.body * s.leading * d.closing.length });
		for (const line of d.closing) lines(line, { size: s.body, indent: d.closingHeading ? s.body : 0 });
	}

	const pages = doc.getPages();
	for (const [i, page] of pages.entries()) {
		const foot = `${d.title}　${i + 1} / ${pages.length}`;
		page.drawText(foot, { x: w.margin + (w.width - font.widthOfTextAtSize(foot, 7)) / 2, y: w.margin / 2, size: 7, font, color: grey });
	}
	return doc.save();
}
