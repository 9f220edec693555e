import { Refusal } from '../refusal.js';

/** An event (or its refund) the program will not record, naming the field at fault. */
export class EventRefusedError extends Refusal {
  constructor(field: string | undefined, reason: string) {
    super('event_refused', reason, field);
  }
}
