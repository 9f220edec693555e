// <tessera-earn token="…" amount-cents="4250"></tessera-earn>: the member's points and what the
// cart earns at this store. One script tag, no framework; it talks to the Tessera that served it.
(() => {
  const origin = new URL(document.currentScript.src).origin;
  const format = new Intl.NumberFormat();

  class TesseraEarn extends HTMLElement {
    static observedAttributes = ['token', 'amount-cents'];

    constructor() {
      super();
      this.attachShadow({ mode: 'open' }).innerHTML = `
        <style>
          :host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; }
          .box { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 14px; background: #fff; color: #1f2328; }
          .points { font-weight: 600; color: #0b6e4f; }
          :host([state="disabled"]) .box { background: #f6f8fa; color: #656d76; }
        </style>
        <div class="box" part="box"><span class="text">Loading your points…</span></div>`;
    }

    connectedCallback() {
      this.refresh();
    }

    attributeChangedCallback() {
      if (!this.isConnected) return;
      clearTimeout(this.pending);
      this.pending = setTimeout(() => this.refresh(), 150);
    }

    show(state, html) {
      this.setAttribute('state', state);
      this.shadowRoot.querySelector('.text').innerHTML = html;
    }

    async refresh() {
      const token = this.getAttribute('token');
      if (!token) return this.show('error', 'Sign in to collect points.');
      const query = new URLSearchParams({ token });
      const amount = this.getAttribute('amount-cents');
      if (amount) query.set('amountCents', amount);
      try {
        const response = await fetch(`${origin}/widget/v1/state?${query}`);
        if (!response.ok) return this.show('error', 'Points are unavailable right now.');
        const state = await response.json();
        if (!state.enabled) return this.show('disabled', 'Points are paused at this store for now.');
        const earn = state.estimate ? ` · This cart earns <span class="points">${format.format(state.estimate.points)}</span> points` : '';
        this.show('enabled', `You have <span class="points">${format.format(state.balance)}</span> points${earn}`);
      } catch {
        this.show('error', 'Points are unavailable right now.');
      }
    }
  }

  if (!customElements.get('tessera-earn')) customElements.define('tessera-earn', TesseraEarn);
})();
