// A static SPA: every route is prerendered as an empty shell and rendered in the browser.
export const prerender = true;
export const ssr = false;
