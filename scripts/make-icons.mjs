// Regenerates the PNG icons in static/ from one SVG glyph (a shield with a keyhole).
// Not part of the build: run `node scripts/make-icons.mjs` after changing the design, then commit the PNGs.
// Renders with the system Chromium through playwright-core, so no image library is needed.
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const staticDir = fileURLToPath(new URL('../static/', import.meta.url));
const BLUE = '#1f4e79';
const PAPER = '#f7f8fa';
const GOLD = '#e0b04a';

/**
 * @param {{ tile: 'rounded' | 'full' | 'none', scale: number }} opts
 *   tile: rounded square (purpose "any"), full-bleed square (maskable, apple-touch) or no background (favicon.svg);
 *   scale: glyph size relative to the 512 canvas, so maskable icons keep the glyph inside the 80 % safe zone.
 */
function svg({ tile, scale }) {
	const bg =
		tile === 'rounded'
			? `<rect x="16" y="16" width="480" height="480" rx="104" fill="${BLUE}"/>`
			: tile === 'full'
				? `<rect width="512" height="512" fill="${BLUE}"/>`
				: '';
	const shieldFill = tile === 'none' ? BLUE : PAPER;
	const holeFill = tile === 'none' ? PAPER : BLUE;
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
${bg}
<g transform="translate(256 258) scale(${scale}) translate(-256 -258)">
  <path d="M256 72 L404 126 V246 C404 342 342 412 256 446 C170 412 108 342 108 246 V126 Z" fill="${shieldFill}"/>
  <path d="M256 104 L374 147 V246 C374 326 324 386 256 414" fill="none" stroke="${GOLD}" stroke-width="14" stroke-linecap="round"/>
  <circle cx="256" cy="228" r="38" fill="${holeFill}"/>
  <path d="M238 252 L222 336 H290 L274 252 Z" fill="${holeFill}"/>
</g>
</svg>`;
}

const targets = [
	{ file: 'icons/icon-192.png', size: 192, tile: 'rounded', scale: 0.92 },
	{ file: 'icons/icon-512.png', size: 512, tile: 'rounded', scale: 0.92 },
	{ file: 'icons/maskable-512.png', size: 512, tile: 'full', scale: 0.78 },
	{ file: 'apple-touch-icon.png', size: 180, tile: 'full', scale: 0.82 },
	{ file: 'favicon.png', size: 48, tile: 'rounded', scale: 1.0 }
];

await mkdir(new URL('icons/', `file://${staticDir}`), { recursive: true });
await writeFile(`${staticDir}favicon.svg`, svg({ tile: 'none', scale: 1.1 }) + '\n');

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
});
try {
	for (const t of targets) {
		const page = await browser.newPage({ viewport: { width: t.size, height: t.size } });
		const body = svg({ tile: /** @type {'rounded' | 'full'} */ (t.tile), scale: t.scale }).replace(
			'width="512" height="512"',
			`width="${t.size}" height="${t.size}"`
		);
		await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${body}</body></html>`);
		const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: t.size, height: t.size } });
		await writeFile(`${staticDir}${t.file}`, png);
		await page.close();
		console.log(`wrote static/${t.file}`);
	}
} finally {
	await browser.close();
}
