import type { MemberReceipt } from '../loyalty/receipts/member-receipts.js';
import { maxReceiptImageBytes } from '../loyalty/receipts/receipt-upload.js';
import { fieldError } from './form-fields.js';
import { day, escapeHtml, memberPage, points } from './page-layout.js';

/** What became of a receipt, in the member's words. */
function outcome(r: MemberReceipt): string {
  switch (r.status) {
    case 'awarded':
      return `<strong>${points(r.points ?? 0)} points</strong> added${r.confirmedByStore ? ' (the store sent this purchase too: it counts once)' : ''}`;
    case 'rejected':
      return `Rejected: ${escapeHtml(r.rejectionReason ?? '')}`;
    case 'reading':
      return 'Being read';
    case 'review':
      return 'Being checked by our team';
  }
}

/** The upload form and the member's receipts with their outcome (a rejection says why). */
export function receiptsPage(receipts: MemberReceipt[], options: { error?: string; notice?: string } = {}): string {
  const rows = receipts
    .map(
      (r) => `<tr><td>${day(r.uploadedAt)}</td><td>${escapeHtml(r.store ?? '')}</td><td>${escapeHtml(r.purchasedOn ?? '')}</td>
<td class="num">${escapeHtml(r.total ?? '')}</td><td>${outcome(r)}</td></tr>`,
    )
    .join('');
  const list = receipts.length
    ? `<table><thead><tr><th scope="col">Sent</th><th scope="col">Store</th><th scope="col">Bought on</th><th scope="col" class="num">Total</th><th scope="col">Outcome</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No receipt sent yet.</p>';
  return memberPage(
    'Your receipts',
    `<h1>Points from a receipt</h1>${options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : ''}
<p>Bought at one of our stores without showing your card? Send a photo of the receipt: we read it and add the points.</p>
<form method="post" action="/member/receipts" enctype="multipart/form-data">
<label for="image">Photo or scan of the receipt</label><p class="hint" id="image-hint">JPEG or PNG, at most ${maxReceiptImageBytes / 1024 / 1024} MB. The store, date and total must be readable.</p>
<input type="file" id="image" name="image" accept="image/jpeg,image/png" aria-describedby="image-hint${options.error ? ' image-error' : ''}"${options.error ? ' aria-invalid="true"' : ''}>
${fieldError('image', options.error)}
<button type="submit">Send the receipt</button></form>
<h2>Your receipts</h2>${list}`,
    { signedIn: true },
  );
}
