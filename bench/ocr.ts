/**
 * OCR accuracy and speed in headless Chromium, through the app's own OCR Worker (the built chunk,
 * self-hosted tesseract assets): 60 generated images, three layouts (card back, 通知カード, 住民票
 * fragment) × five conditions (clean, rotated, blurred + low contrast, glare + JPEG q40, small)
 * × four fictitious numbers. Each image carries distractors (postal code, dates, an 11-digit
 * 住民票コード; on the card a postal code and an expiry year, 2027–2030, which OCR may join into a
 * dash-separated 4-4-4 reading). A read is exact when `number` is the printed number; wrong when `number` is set
 * to anything else (the figure that must stay at zero).
 *
 * The images are drawn on the app's page, `<html lang="ja">`, where the canvas's `sans-serif` is Chromium's Japanese
 * default, Noto Sans CJK JP (fonts-noto-cjk) here, digits included; drawn on a page without `lang` they come out in
 * Liberation Sans and read differently. tests/fixtures/ocr/make-chromium-fixtures.mjs draws one of them as a fixture.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';

export interface OcrFigure {
	name: string;
	value: number;
	unit: string;
	note?: string;
}

/** Fictitious numbers with valid check digits (DOMAIN.md §10.1 style patterns). */
const NUMBERS = ['123456789018', '987654321000', '111122223333', '246813579021'];
const LAYOUTS = ['card', 'tsuchi', 'juminhyo'] as const;
const CONDITIONS = ['clean', 'rotated', 'blur-low-contrast', 'glare-jpeg', 'small'] as const;

/** The built OCR Worker chunk (the one that names the self-hosted tesseract worker). */
function ocrWorkerPath(buildDir = 'build'): string {
	const dir = join(buildDir, '_app/immutable/workers');
	const file = readdirSync(dir).find((f) => readFileSync(join(dir, f), 'utf8').includes('tesseract/worker.min.js'));
	if (!file) throw new Error('OCR worker chunk not found in the build');
	return `/_app/immutable/workers/${file}`;
}

export async function runOcrBench(browser: Browser, baseUrl: string): Promise<OcrFigure[]> {
	const context = await browser.newContext({ locale: 'ja-JP' });
	const page = await context.newPage();
	await page.goto(`${baseUrl}/`);
	// tsx compiles this file with keepNames: its `__name` helper must exist in the page too.
	await page.evaluate('globalThis.__name = (f) => f');
	const workerUrl = ocrWorkerPath();
	const numbers = NUMBERS;
	const results = (await page.evaluate(
		async ({ workerUrl, numbers, layouts, conditions }) => {
			const grouped = (n: string) => n.replace(/(\d{4})(?=\d)/g, '$1 ');
			function draw(layout: string, number: string, condition: string, variant: number): OffscreenCanvas {
				const w = 1400;
				const h = layout === 'juminhyo' ? 700 : 880;
				const canvas = new OffscreenCanvas(w, h);
				const g = canvas.getContext('2d')!;
				const low = condition === 'blur-low-contrast';
				g.fillStyle = low ? '#b8b8b8' : layout === 'card' ? '#fdecef' : layout === 'tsuchi' ? '#eef5e6' : '#ffffff';
				g.fillRect(0, 0, w, h);
				const ink = low ? '#6a6a6a' : '#111';
				g.fillStyle = ink;
				g.strokeStyle = ink;
				if (layout === 'card') {
					g.font = '34px sans-serif';
					g.fillText('個人番号', 60, 130);
					g.font = 'bold 76px sans-serif';
					g.fillText(grouped(number), 300, 140);
					g.font = '36px sans-serif';
					g.fillText('氏名 見本 花子', 60, 260);
					g.fillText('生年月日 昭和60年 1月 1日生', 60, 340);
					g.fillText(`〒100-0001 有効期限 ${2027 + variant}年 1月 1日`, 60, 800);
					g.fillRect(1080, 480, 220, 220);
				} else if (layout === 'tsuchi') {
					g.font = '40px sans-serif';
					g.fillText('通知カード', 560, 80);
					g.font = '34px sans-serif';
					g.fillText('個人番号', 60, 200);
					g.font = 'bold 64px sans-serif';
					g.fillText(grouped(number), 280, 205);
					g.font = '34px sans-serif';
					g.fillText('住所 〒100-0001 東京都千代田区千代田1番1号', 60, 330);
					g.fillText('生年月日 昭和55年 3月15日  発行日 平成27年10月5日', 60, 430);
				} else {
					g.lineWidth = 3;
					for (const y of [60, 200, 340, 480, 620]) {
						g.beginPath();
						g.moveTo(40, y);
						g.lineTo(w - 40, y);
						g.stroke();
					}
					g.font = '34px sans-serif';
					g.fillText('住民票コード', 60, 145);
					g.fillText('12345678901', 420, 145);
					g.fillText('個人番号', 60, 285);
					g.font = 'bold 56px sans-serif';
					g.fillText(number, 420, 290);
					g.font = '34px sans-serif';
					g.fillText('〒123-4567 見本市見本町1-2-3  電話 03-1234-5678', 60, 425);
					g.fillText('平成2年4月1日 転入', 60, 565);
				}
				let out = canvas;
				const transform = (fn: (c: OffscreenCanvasRenderingContext2D) => void, width = out.width, height = out.height) => {
					const next = new OffscreenCanvas(width, height);
					const c = next.getContext('2d')!;
					c.fillStyle = '#777';
					c.fillRect(0, 0, width, height);
					fn(c);
					out = next;
				};
				if (condition === 'rotated') transform((c) => {
					c.translate(w / 2, h / 2);
					c.rotate((4 * Math.PI) / 180);
					c.drawImage(canvas, -w / 2, -h / 2);
				});
				if (condition === 'blur-low-contrast') transform((c) => {
					c.filter = 'blur(1.6px)';
					c.drawImage(canvas, 0, 0);
				});
				if (condition === 'glare-jpeg') transform((c) => {
					c.drawImage(canvas, 0, 0);
					const glare = c.createRadialGradient(w * 0.7, h * 0.3, 10, w * 0.7, h * 0.3, 380);
					glare.addColorStop(0, 'rgba(255,255,255,0.85)');
					glare.addColorStop(1, 'rgba(255,255,255,0)');
					c.fillStyle = glare;
					c.fillRect(0, 0, w, h);
				});
				if (condition === 'small') transform((c) => c.drawImage(canvas, 0, 0, 520, Math.round((520 * h) / w)), 520, Math.round((520 * h) / w));
				return out;
			}
			const worker = new Worker(workerUrl, { type: 'module' });
			let id = 0;
			const read = (image: Uint8Array) =>
				new Promise<{ number: string | null; candidates: string[]; ms: number }>((resolve, reject) => {
					const my = ++id;
					const started = performance.now();
					const onMessage = (event: MessageEvent) => {
						if (event.data.id !== my) return;
						worker.removeEventListener('message', onMessage);
						if (event.data.type === 'result') resolve({ number: event.data.number, candidates: event.data.candidates, ms: performance.now() - started });
						else reject(new Error(event.data.message));
					};
					worker.addEventListener('message', onMessage);
					worker.postMessage({ id: my, type: 'read', image }, [image.buffer]);
				});
			const rows: { layout: string; condition: string; expected: string; got: string | null; candidates: string[]; ms: number }[] = [];
			for (const layout of layouts)
				for (const condition of conditions)
					for (const [variant, number] of numbers.entries()) {
						const canvas = draw(layout, number, condition, variant);
						const blob = await canvas.convertToBlob(condition === 'glare-jpeg' ? { type: 'image/jpeg', quality: 0.4 } : { type: 'image/png' });
						const result = await read(new Uint8Array(await blob.arrayBuffer()));
						rows.push({ layout, condition, expected: number, got: result.number, candidates: result.candidates, ms: result.ms });
					}
			worker.terminate();
			return rows;
		},
		{ workerUrl, numbers, layouts: [...LAYOUTS], conditions: [...CONDITIONS] }
	)) as { layout: string; condition: string; expected: string; got: string | null; candidates: string[]; ms: number }[];
	await context.close();

	if (process.env.BENCH_OCR_DEBUG)
		for (const [i, r] of results.entries())
			if (r.got !== r.expected)
				console.log(`  ocr miss: ${r.layout}/${r.condition} #${i % NUMBERS.length} expected ${r.expected}, got ${r.got}, candidates ${r.candidates.join(' ') || 'none'}`);
	const figures: OcrFigure[] = [];
	const warm = results.slice(1).map((r) => r.ms).sort((a, b) => a - b);
	figures.push({ name: 'OCR per image in headless Chromium, warm (median)', value: Math.round(warm[Math.floor(warm.length / 2)]!), unit: 'ms', note: `first image incl. start-up ${Math.round(results[0]!.ms)} ms; p90 ${Math.round(warm[Math.floor(warm.length * 0.9)]!)} ms; ${results.length} images` });
	for (const condition of CONDITIONS) {
		const rows = results.filter((r) => r.condition === condition);
		const exact = rows.filter((r) => r.got === r.expected).length;
		figures.push({ name: `OCR exact reads, ${condition}`, value: Math.round((exact / rows.length) * 1000) / 10, unit: '%', note: `${exact}/${rows.length} over card back, 通知カード, 住民票` });
	}
	const wrong = results.filter((r) => r.got !== null && r.got !== r.expected).length;
	figures.push({ name: 'OCR wrong numbers filled in (target 0)', value: wrong, unit: 'images', note: `of ${results.length}; a miss gives number: null and the employee types it` });
	return figures;
}
