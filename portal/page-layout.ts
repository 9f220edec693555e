import { AsyncLocalStorage } from 'node:async_hooks';

/** Text as HTML, so that nothing a member or a store typed can become markup. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const number = new Intl.NumberFormat('en');
export const points = (n: number) => number.format(n);
export const day = (d: Date) => d.toISOString().slice(0, 10);

/** What the navigation offers the signed-in member beyond the pages every member has. */
export interface MemberNavigation {
  /** They manage a company: its pages are a link away. */
  managesCompany: boolean;
}

const navigation = new AsyncLocalStorage<MemberNavigation>();

/**
 * Answers the rest of a request with this navigation: pages are drawn by handlers that know
 * nothing of companies, and every page must offer the same links.
 */
export function withNavigation(shown: MemberNavigation, next: () => void): void {
  navigation.run(shown, next);
}

/**
 * The shell of every member page: readable on a phone (one column, large targets), contrast above
 * WCAG AA, a skip link and visible focus for the keyboard, the page's purpose in its title.
 */
export function memberPage(title: string, body: string, options: { signedIn?: boolean } = {}): string {
  const nav = options.signedIn
    ? `<nav aria-label="Your account"><a href="/member">Overview</a> <a href="/member/history">History</a>
<a href="/member/rewards">Rewards</a> <a href="/member/gift">Give points</a> <a href="/member/stores">Stores</a> <a href="/member/receipts">Receipts</a> <a href="/member/profile">Profile</a> <a href="/member/privacy">Your data</a>${navigation.getStore()?.managesCompany ? ' <a href="/member/company">Company</a>' : ''}
<form method="post" action="/member/sign-out" class="inline"><button type="submit" class="link">Sign out</button></form></nav>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tessera</title>
<style>
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5360;--accent:#0b5cad;--bad:#a4141b;--line:#d4d9e0}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--ink);background:#fff}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header,main{max-width:44rem;margin:0 auto;padding:1rem}header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;border-bottom:1px solid var(--line)}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input{font:inherit;padding:.6rem;width:100%;max-width:24rem;border:1px solid var(--muted);border-radius:6px}
button{font:inherit;padding:.6rem 1.1rem;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer;margin-top:.75rem;min-height:44px}
button.link{background:none;color:var(--accent);padding:0;margin:0;text-decoration:underline;min-height:0}form.inline{display:inline}
.error{color:var(--bad);font-weight:600;margin:.25rem 0}.hint{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem}.card{border:1px solid var(--line);border-radius:8px;padding:.75rem}
.card strong{display:block;font-size:1.5rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}td:first-child{white-space:nowrap}progress{width:100%;height:1rem}
select{font:inherit;padding:.6rem;width:100%;max-width:24rem;border:1px solid var(--muted);border-radius:6px;background:#fff}
label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}label.check input{width:auto;min-width:1.25rem;min-height:1.25rem}
fieldset{border:1px solid var(--line);border-radius:8px;margin:1rem 0;padding:.25rem 1rem 1rem}legend{font-weight:600;padding:0 .25rem}
ul.rewards,ul.list{list-style:none;padding:0;display:grid;gap:.75rem}ul.rewards{grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}
.reward img,main>img{display:block;width:100%;max-width:24rem;height:auto;border-radius:6px}.reward h2{margin:.5rem 0 .25rem}
.reward-code{font:700 1.5rem/1.3 ui-monospace,monospace;letter-spacing:.05em;padding:.75rem;border:2px dashed var(--accent);border-radius:8px;display:inline-block;word-break:break-all}
.notice{border-left:4px solid var(--accent);padding:.5rem .75rem;background:#eef4fb}
</style></head><body><a class="skip" href="#main">Skip to content</a>
<header><a href="/member"><strong>Tessera</strong></a>${nav}</header>
<main id="main">${body}</main></body></html>`;
}
