// <tessera-earn token="…" amount-cents="4250"></tessera-earn>: the member's points and what the
// cart earns at this store; the member may sign in with a code to see all their Tessera points and
// let the store's checkout spend them ("Use my points" fires `tessera-use-points` with the
// `Member-Authorization` to send). With a `currency` and a cart, the signed-in member chooses how many
// points to use on this order (within the program's rules and their balance): the event then carries
// `points` and their `valueMinor` too, for the store's server to authorize the payment with; the page
// then sets `points-applied` to the points held, and the widget says so instead of offering more.
// Signed in, the member also sees their challenges open at this store, with their progress.
// One script tag, no framework; it talks to the Tessera that served it.
(() => {
  const origin = new URL(document.currentScript.src).origin;
  const format = new Intl.NumberFormat();
  const time = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  class TesseraEarn extends HTMLElement {
    static observedAttributes = ['token', 'amount-cents', 'currency', 'points-applied'];

    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML = `
        <style>
          :host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; }
          .box { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 14px; background: #fff; color: #1f2328; }
          .points { font-weight: 600; color: #0b6e4f; }
          :host([state="disabled"]) .box { background: #f6f8fa; color: #656d76; }
          button { font: inherit; margin-top: 6px; padding: 6px 12px; border-radius: 6px; border: 1px solid #0b5cad; background: #0b5cad; color: #fff; cursor: pointer; }
          button.plain { background: none; color: #0b5cad; border: 0; padding: 0; text-decoration: underline; }
          label { display: block; margin-top: 6px; font-weight: 600; }
          input { font: inherit; padding: 4px 6px; }
          .error { color: #a4141b; }
          .pay { margin-top: 8px; padding-top: 8px; border-top: 1px solid #d0d7de; }
          .pay input { width: 7em; }
          .hint { margin: 4px 0 0; color: #656d76; }
          .challenges { margin-top: 8px; padding-top: 8px; border-top: 1px solid #d0d7de; }
          .challenges h2 { font-size: inherit; margin: 0; }
          .challenges ul { list-style: none; margin: 4px 0 0; padding: 0; }
          .challenges li { margin-top: 6px; }
          .challenges label { margin: 0; font-weight: 400; }
          .challenges progress { display: block; width: 100%; }
          :focus-visible { outline: 2px solid #0b5cad; outline-offset: 2px; }
        </style>
        <div class="box" part="box"><span class="text">Loading your points…</span><div class="challenges-here"></div><div class="actions"></div></div>`;
    }

    connectedCallback() {
      this.refresh();
    }

    attributeChangedCallback() {
      if (!this.isConnected) return;
      clearTimeout(this.pending);
      this.pending = setTimeout(() => this.refresh(), 150);
    }

    get sessionKey() {
      return `tessera-session:${this.getAttribute('token')}`;
    }

    show(state, html, actions = '', challenges = '') {
      this.setAttribute('state', state);
      this.shadowRoot.querySelector('.text').innerHTML = html;
      this.shadowRoot.querySelector('.challenges-here').innerHTML = challenges;
      this.shadowRoot.querySelector('.actions').innerHTML = actions;
    }

    /** The signed-in member's challenges at this store, each with its progress bar and what completing it pays. */
    challengeList(challenges) {
      if (!challenges?.length) return '';
      const items = challenges.map((c, i) => {
        const count = (n) => {
          if (c.metric === 'spend') return `${this.money(n, c.currency)} spent${c.category ? ` on ${escape(c.category)}` : ''}`;
          if (c.metric === 'distinct_partners') return `${format.format(n)} ${n === 1 ? 'store' : 'different stores'}`;
          if (c.metric === 'referrals') return `${format.format(n)} ${n === 1 ? 'friend who buys' : 'friends who buy'}`;
          return `${format.format(n)} ${n === 1 ? 'purchase' : 'purchases'}`;
        };
        const done = Math.min(c.progress, c.target);
        const status = c.completed
          ? `Completed: ${format.format(c.rewardPoints)} points earned`
          : `${count(c.target - done)} to go for ${format.format(c.rewardPoints)} points`;
        // A period ending within a day says when, on the shopper's clock: its last day, or the minute a challenge of hours ends.
        const end = c.periodEndsAt ? new Date(c.periodEndsAt) : null;
        const atMidnight = end && end.getHours() === 0 && end.getMinutes() === 0;
        const ends =
          c.completed || !end || end.getTime() - Date.now() >= 86_400_000
            ? ''
            : atMidnight
              ? ` · last day ${weekday.format(new Date(end.getTime() - 1))}`
              : ` · ends ${time.format(end)}`;
        const reached = c.metric === 'spend' ? this.money(done, c.currency) : format.format(done);
        return `<li><label for="challenge-${i}"><strong>${escape(c.name)}</strong>: ${reached} of ${count(c.target)}</label>
          <progress id="challenge-${i}" max="${c.target}" value="${done}">${done} of ${c.target}</progress><p class="hint">${status}${ends}</p></li>`;
      });
      return `<section class="challenges"><h2>Your challenges</h2><ul>${items.join('')}</ul></section>`;
    }

    on(selector, event, handler) {
      this.shadowRoot.querySelector(selector)?.addEventListener(event, handler);
    }

    async refresh(force = false) {
      // The cart may change while the member types an address or a code: the form stays.
      if (!force && this.getAttribute('state') === 'signing-in') return;
      const token = this.getAttribute('token');
      if (!token) return this.show('error', 'Sign in to collect points.');
      const query = new URLSearchParams({ token });
      const amount = this.getAttribute('amount-cents');
      if (amount) query.set('amountCents', amount);
      const session = sessionStorage.getItem(this.sessionKey);
      // Only the latest refresh renders: an answer about an older cart that arrives late is dropped.
      const generation = (this.generation = (this.generation ?? 0) + 1);
      const stale = () => generation !== this.generation;
      try {
        const response = await fetch(`${origin}/widget/v1/state?${query}`, {
          headers: session ? { 'member-authorization': `Bearer ${session}` } : {},
        });
        if (stale()) return;
        if (!response.ok) return this.show('error', 'Points are unavailable right now.');
        const state = await response.json();
        // The member opened the form while this was on its way: the form stays.
        if (!force && this.getAttribute('state') === 'signing-in') return;
        if (!state.enabled) return this.show('disabled', 'Points are paused at this store for now.');
        if (session && !state.signedIn) sessionStorage.removeItem(this.sessionKey);
        const won = state.instantWin
          ? ` · You won <span class="points">${format.format(state.instantWin.points)}</span> points in ${escape(state.instantWin.campaign)}!`
          : '';
        const earn = `${state.estimate ? ` · This cart earns <span class="points">${format.format(state.estimate.points)}</span> points` : ''}${won}`;
        // Points in a purchase's return window are shown, apart: they cannot be spent yet.
        const pending = state.pending ? ` (+${format.format(state.pending)} pending)` : '';
        if (state.signedIn) {
          // The store applied points to the order already: they are held, not to be chosen again.
          const applied = Number(this.getAttribute('points-applied')) || 0;
          if (applied > 0) {
            this.show(
              'signed-in',
              `You have <span class="points">${format.format(state.balance)}</span> Tessera points${pending}${earn}`,
              `<div class="pay"><p class="hint"><strong>${format.format(applied)} points</strong> pay for part of this order.</p></div>`,
              this.challengeList(state.challenges),
            );
            return;
          }
          const quote = await this.quote(session);
          if (stale() || (!force && this.getAttribute('state') === 'signing-in')) return;
          const usable = quote?.member.usablePoints ?? 0;
          this.show(
            'signed-in',
            `You have <span class="points">${format.format(state.balance)}</span> Tessera points${pending}${earn}`,
            `${quote ? this.payForm(quote) : ''}${!quote || usable > 0 ? '<button class="use">Use my points</button> ' : ''}<button class="plain sign-out">Sign out</button>`,
            this.challengeList(state.challenges),
          );
          const chosen = () => {
            const points = Math.floor(Number(this.shadowRoot.querySelector('#points').value));
            return Math.min(Math.max(Number.isFinite(points) ? points : 0, quote.minPoints), usable);
          };
          this.on('#points', 'input', () => {
            this.shadowRoot.querySelector('.value').textContent = this.money(this.valueOf(chosen(), quote), quote.currency);
          });
          this.on('.use', 'click', () => {
            const detail = { authorization: `Bearer ${session}` };
            if (quote && usable > 0) Object.assign(detail, { points: chosen(), valueMinor: this.valueOf(chosen(), quote) });
            this.dispatchEvent(new CustomEvent('tessera-use-points', { bubbles: true, composed: true, detail }));
          });
          this.on('.sign-out', 'click', () => {
            sessionStorage.removeItem(this.sessionKey);
            this.refresh(true);
          });
          return;
        }
        this.show(
          'enabled',
          `You have <span class="points">${format.format(state.balance)}</span> points${pending}${earn}`,
          '<button class="plain start">Sign in to see all your Tessera points</button>',
        );
        this.on('.start', 'click', () => this.askAddress());
      } catch {
        this.show('error', 'Points are unavailable right now.');
      }
    }

    /** What the cart may take in points, for the signed-in member; null without a cart in a currency. */
    async quote(session) {
      const amount = Number(this.getAttribute('amount-cents'));
      const currency = this.getAttribute('currency');
      if (!currency || !(amount > 0)) return null;
      const answer = await fetch(`${origin}/widget/v1/payment-quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'member-authorization': `Bearer ${session}` },
        body: JSON.stringify({ token: this.getAttribute('token'), amountMinor: amount, currency }),
      });
      return answer.ok ? answer.json() : null;
    }

    payForm(quote) {
      const usable = quote.member.usablePoints;
      if (usable === 0) {
        const why =
          quote.maxPoints === 0
            ? 'Points cannot pay for this order.'
            : `Points pay from ${format.format(quote.minPoints)} points on an order; you have ${format.format(quote.member.available)}.`;
        return `<div class="pay"><p class="hint">${why}</p></div>`;
      }
      return `<div class="pay"><label for="points">Points to use on this order</label>
        <input id="points" type="number" inputmode="numeric" min="${quote.minPoints}" max="${usable}" step="1" value="${usable}">
        points = <strong class="value">${this.money(quote.member.usableValueMinor, quote.currency)}</strong> off
        <p class="hint">From ${format.format(quote.minPoints)} to ${format.format(usable)} points on this order (at most ${this.money(quote.maxValueMinor, quote.currency)} of it).</p></div>`;
    }

    valueOf(points, quote) {
      return Math.floor((points * Math.round(quote.pointValueMinor * 10_000)) / 10_000);
    }

    money(minor, currency) {
      const money = new Intl.NumberFormat(undefined, { style: 'currency', currency });
      return money.format(minor / 10 ** money.resolvedOptions().maximumFractionDigits);
    }

    askAddress(error = '') {
      this.show(
        'signing-in',
        'We send you a code: no password needed.',
        `<form class="address"><label for="address">Email or mobile number</label>
          <input id="address" name="address" autocomplete="username" required>
          ${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
          <button type="submit">Send me a code</button> <button type="button" class="plain cancel">Cancel</button></form>`,
      );
      this.on('.cancel', 'click', () => this.refresh(true));
      this.on('form.address', 'submit', async (event) => {
        event.preventDefault();
        const address = this.shadowRoot.querySelector('#address').value;
        const answer = await this.post('/widget/v1/sign-in', { address });
        if (answer.ok) this.askCode(address, (await answer.json()).sentTo);
        else this.askAddress(await this.reason(answer));
      });
      this.shadowRoot.querySelector('#address').focus();
    }

    askCode(address, sentTo, error = '') {
      this.show(
        'signing-in',
        `If ${escape(sentTo)} can receive it, a 6-digit code is on its way.`,
        `<form class="code"><label for="code">Code</label>
          <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
          ${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
          <button type="submit">Sign in</button> <button type="button" class="plain cancel">Cancel</button></form>`,
      );
      this.on('.cancel', 'click', () => this.refresh(true));
      this.on('form.code', 'submit', async (event) => {
        event.preventDefault();
        const code = this.shadowRoot.querySelector('#code').value.trim();
        const answer = await this.post('/widget/v1/sign-in/code', { address, code });
        if (!answer.ok) return this.askCode(address, sentTo, await this.reason(answer));
        sessionStorage.setItem(this.sessionKey, (await answer.json()).session);
        this.refresh(true);
      });
      this.shadowRoot.querySelector('#code').focus();
    }

    post(path, body) {
      return fetch(`${origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: this.getAttribute('token'), ...body }),
      });
    }

    async reason(answer) {
      try {
        const problem = await answer.json();
        return problem.errors?.[0]?.message ?? problem.detail ?? 'Something went wrong; try again.';
      } catch {
        return 'Something went wrong; try again.';
      }
    }
  }

  if (!customElements.get('tessera-earn')) customElements.define('tessera-earn', TesseraEarn);
})();
