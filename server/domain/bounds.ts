/**
 * Bounds on every amount and balance, far below 2^53 so every figure is an exact JavaScript
 * number. The database holds the same bounds as CHECK constraints (migration 0010).
 */

/** Largest amount one write may move (a pledge, a grant), and the largest wallet balance. */
export const MAX_AMOUNT = 1_000_000_000_000;
/** A wallet never holds more than one write can move, so `all` is always a valid amount. */
export const MAX_WALLET_BALANCE = MAX_AMOUNT;
/**
 * Largest balance of any account, and of the mint's debt: the points a channel has in existence.
 * Escrows and the treasury sum many wallets, so they get this wider bound.
 */
export const MAX_CHANNEL_SUPPLY = 1_000_000_000_000_000;
/** Postgres `integer` columns (mission numbers). */
export const MAX_INT4 = 2_147_483_647;
