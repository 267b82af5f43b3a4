/**
 * Resolves after the browser has painted, so a progress message shows before a long synchronous
 * step (scrypt in key wrapping takes 1–2 s on the main thread).
 */
export function nextPaint(): Promise<void> {
	return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
