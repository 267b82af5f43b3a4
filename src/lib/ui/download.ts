/**
 * Hands a file made in this browser to the user as a download. The object URL lives a minute,
 * long enough for the browser to start saving, then is revoked so the bytes can be collected.
 */
export function saveBlob(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
