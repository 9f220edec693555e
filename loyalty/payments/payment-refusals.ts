import { Refusal } from '../refusal.js';

/** Another store's payment, or none: the same answer, so a store learns nothing of others'. */
export class PaymentNotFoundError extends Refusal {
  constructor(field = 'paymentId') {
    super('payment_not_found', 'no payment of this store has this id', field);
  }
}

/** The basket or the points asked for break the program's rules for paying with points. */
export class PaymentRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('payment_refused', reason, field);
  }
}

export class PaymentCurrencyMismatchError extends Refusal {
  constructor(sent: string, program: string, counted = 'points are') {
    super('payment_currency_mismatch', `must be ${program}, the program's currency (${counted} worth ${program}, not ${sent})`, 'currency');
  }
}

export class PaymentAlreadyCapturedError extends Refusal {
  constructor(field = 'paymentId') {
    super('payment_already_captured', 'was captured already: a payment is captured once; refund it instead', field);
  }
}

/** Captured, voided or expired: the authorization is no longer there to capture or void. */
export class PaymentNotAuthorizedError extends Refusal {
  constructor(status: 'voided' | 'expired', field = 'paymentId') {
    super(
      'payment_not_authorized',
      status === 'voided'
        ? 'was voided: its points went back to the member; authorize a new payment'
        : 'expired before it was captured: its points went back to the member; authorize a new payment',
      field,
    );
  }
}

export class PaymentOverCaptureError extends Refusal {
  constructor(authorized: number) {
    super('payment_over_capture', `must be at most ${authorized}, the points authorized`, 'points');
  }
}

export class PaymentNotCapturedError extends Refusal {
  constructor(status: 'authorized' | 'voided' | 'expired') {
    super(
      'payment_not_captured',
      status === 'authorized'
        ? 'is not captured yet: void the authorization to give the points back'
        : `was ${status} and never captured: there is nothing to refund`,
      'paymentId',
    );
  }
}

export class PaymentOverRefundError extends Refusal {
  constructor(left: number) {
    super(
      'payment_over_refund',
      left === 0
        ? 'nothing is left to refund: every captured point went back'
        : `must be at most ${left}, the captured points not refunded yet`,
      'points',
    );
  }
}
