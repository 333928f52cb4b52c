-- Only journal rows with a key of their own (accrual credits, grants, payouts...) go into the
-- idempotency index. A pledge's journal row names its pledge, whose row holds the key
-- (pledges_idempotency_uq), and a refund row names the pledge it refunds: both are written
-- without a key, and skip one random-key index insertion each.
DROP INDEX "transfers_idempotency_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_idempotency_uq" ON "transfers" USING btree ("channel_id","kind","idempotency_key") WHERE "transfers"."idempotency_key" IS NOT NULL;
