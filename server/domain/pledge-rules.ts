/**
 * The rules one pledge must pass against the balance of the wallet it comes from: the amount
 * grammar resolved against that balance, the channel's minimum stake and maximum pledge, the
 * amount cap and the funds. The micro-batcher decides every pledge with it against the running
 * balance; a proposal's opening pledge decides with it against the locked wallet. Pure.
 */
import { MAX_AMOUNT } from './bounds.js';
import { errors, type DomainError } from './errors.js';
import { resolveAmount, type AmountInput, type AmountSpec } from './grammar/amount.js';
import type { ChannelSettings } from './settings.js';

export type { AmountInput };

export type PledgeDecision =
  /** `amount` leaves the wallet, which is left holding `balance`. */
  | { ok: true; amount: number; balance: number }
  | { ok: false; error: DomainError };

const toSpec = (amount: AmountInput): AmountSpec => (typeof amount === 'number' ? { kind: 'absolute', value: amount } : amount);

/**
 * Decides one pledge of `amount` from a wallet holding `balance`. `all`, `half` and `percent`
 * round down; a relative amount that comes to nothing is a lack of funds (the viewer needs at
 * least the minimum stake), an absolute one that is not a whole number in 1..MAX_AMOUNT is bad
 * input. A wallet never holds more than MAX_AMOUNT, so `all` always passes the cap.
 */
export function decidePledge(amount: AmountInput, balance: number, settings: Pick<ChannelSettings, 'minStake' | 'maxPledge'>): PledgeDecision {
  const fail = (error: DomainError): PledgeDecision => ({ ok: false, error });
  const resolved = resolveAmount(toSpec(amount), balance);
  if (!Number.isSafeInteger(resolved) || resolved <= 0 || resolved > MAX_AMOUNT) {
    if (typeof amount !== 'number' && resolved <= 0) return fail(errors.insufficientFunds(balance, settings.minStake));
    return fail(errors.validation('amount must be a positive integer'));
  }
  if (resolved < settings.minStake) return fail(errors.stakeTooLow(resolved, settings.minStake));
  if (settings.maxPledge !== null && resolved > settings.maxPledge) return fail(errors.pledgeTooHigh(resolved, settings.maxPledge));
  if (balance < resolved) return fail(errors.insufficientFunds(balance, resolved));
  return { ok: true, amount: resolved, balance: balance - resolved };
}
