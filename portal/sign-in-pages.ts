import { fieldError } from './form-fields.js';
import { escapeHtml, memberPage } from './page-layout.js';

const describedBy = (id: string, message?: string) => (message ? ` aria-describedby="${id}-error" aria-invalid="true"` : '');

/** Where a member, or someone who wants to become one, gives an address to receive a code. */
export function signInPage(values: { address?: string; error?: string } = {}): string {
  return memberPage(
    'Sign in',
    `<h1>Your points, all in one place</h1>
<p>Sign in or join with your email or mobile number: we send you a code, no password needed.</p>
<form method="post" action="/member/sign-in" novalidate>
<label for="address">Email or mobile number</label>
<p class="hint" id="address-hint">A mobile number starts with + and the country code, like +33 6 12 34 56 78.</p>
<input id="address" name="address" autocomplete="username" required value="${escapeHtml(values.address ?? '')}"
 aria-describedby="address-hint${values.error ? ' address-error' : ''}"${values.error ? ' aria-invalid="true"' : ''}>
${fieldError('address', values.error)}
<button type="submit">Send me a code</button>
</form>`,
  );
}

/** Where the code is typed; the same page whether or not the address belongs to a member. */
export function codePage(values: { address: string; error?: string }): string {
  return memberPage(
    'Enter your code',
    `<h1>Check your ${values.address.includes('@') ? 'email' : 'messages'}</h1>
<p>If ${escapeHtml(values.address)} can receive it, a 6-digit code is on its way. It works for 10 minutes.</p>
<form method="post" action="/member/sign-in/code" novalidate>
<input type="hidden" name="address" value="${escapeHtml(values.address)}">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required${describedBy('code', values.error)}>
${fieldError('code', values.error)}
<button type="submit">Sign in</button>
</form>
<p><a href="/member/sign-in">Use another address, or send a new code</a></p>`,
  );
}

/** A sign-in link opens this page: a person presses the button, a mail scanner that opens links does not. */
export function linkPage(values: { address: string; code: string }): string {
  return memberPage(
    'Sign in',
    `<h1>Sign in to Tessera</h1>
<form method="post" action="/member/sign-in/code">
<input type="hidden" name="address" value="${escapeHtml(values.address)}">
<input type="hidden" name="code" value="${escapeHtml(values.code)}">
<p>Signing in as ${escapeHtml(values.address)}.</p>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** Too many codes asked for: the same words for any address. */
export function slowDownPage(reason: string): string {
  return memberPage(
    'Try again later',
    `<h1>Please try again later</h1><p>${escapeHtml(reason)}</p><p><a href="/member/sign-in">Back</a></p>`,
  );
}
