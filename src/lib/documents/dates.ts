/**
 * Dates printed on the documents a Japanese office files (notification letters, reminders,
 * disposal certificates): 和暦, as such documents are expected to be dated (令和8年11月24日; 元年 for a
 * first year), in Japan's time zone whatever the handler's computer says.
 */
const DAY = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { dateStyle: 'long', timeZone: 'Asia/Tokyo' });
const DAY_TIME = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' });

/** A day in 和暦, e.g. `令和8年11月24日`. */
export function documentDate(date: Date): string {
	return DAY.format(date);
}

/** A day and time in 和暦 (JST), e.g. `令和8年11月24日 10:00`. */
export function documentDateTime(date: Date): string {
	return DAY_TIME.format(date);
}
