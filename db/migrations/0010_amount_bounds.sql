-- Every balance and amount bounded far below 2^53, where JavaScript numbers stop being exact: a
-- wallet holds at most what one write may move (10^12), any other account and the mint's debt at
-- most 10^15. NOT VALID: rows written before are not rechecked (a database that already holds a
-- larger figure still starts); every row written or updated from now on is checked.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_balance_bounded" CHECK (
  "balance" BETWEEN -1000000000000000 AND 1000000000000000
  AND ("kind" <> 'wallet' OR "balance" <= 1000000000000)) NOT VALID;
--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_amount_bounded" CHECK ("amount" <= 1000000000000000) NOT VALID;
--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_amount_bounded" CHECK ("amount" <= 1000000000000) NOT VALID;
