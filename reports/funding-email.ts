import type { FundingAlertDue } from '../loyalty/funding-alerts.js';

const number = new Intl.NumberFormat('en');

/** The partner's "top up your points" email. */
export function fundingAlertEmail(alert: FundingAlertDue) {
  return alert.level === 'empty'
    ? {
        to: alert.contactEmail!,
        subject: `${alert.partnerName}: your points wallet is empty, the earn widget is paused`,
        text: `Your wallet has no points left, so your customers earn nothing and the earn widget shows itself paused.\nBuy a package to start again.\n\nTessera`,
      }
    : {
        to: alert.contactEmail!,
        subject: `${alert.partnerName}: ${number.format(alert.available)} points left in your wallet`,
        text: `Your wallet is under your alert level of ${number.format(alert.threshold)} points (${number.format(alert.available)} left).\nTop it up before it runs out: at zero your customers stop earning.\n\nTessera`,
      };
}
