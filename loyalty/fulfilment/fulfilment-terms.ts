/** A reward that has not shipped this many days after the redemption is given up: the points go back. */
export const fulfilmentGiveUpDays = 14;

/**
 * A redemption's hold lasts a little longer than the fulfilment may wait, so the fulfilment settles
 * it first; past this, the hold's own timeout (and the daily sweep) give the points back whatever
 * became of the process.
 */
export const redemptionHoldDays = fulfilmentGiveUpDays + 2;
