-- Settling a pledge writes its `settlement` mark and, for a refund, the backer's new balance.
-- Both become heap-only (HOT) updates: a new row version on the same page, and no new entry in
-- any index. Measured on 5,000-pledge refund batches, databases seeded like bench/settlement.ts:
--  * `pledges_unsettled_idx` had `settlement` in its predicate, and a column used by any index
--    (predicates included) makes every update of it non-HOT: each settled pledge wrote four new
--    index entries (pledge update ~115 ms and 9.7 MB of WAL per batch; HOT: ~16 ms, 1.2 MB).
--    Settlement walks a mission's pledges by id range on `pledges_mission_idx`, which has the
--    same keys; the partial index only sped up finding the unsettled rest of a mostly settled
--    mission, which nothing needs fast (and every pledge insert maintained it).
--  * a HOT update needs room on the row's own page. Every pledge is updated exactly once, so
--    pledge pages are filled to 45 % (room for the settled version of every row on the page,
--    with or without a chat message id as idempotency key); once settled, the table is no
--    bigger than before, when the new versions went to other pages.
--  * wallets are updated all the time (every pledge debits one; a refund credits thousands in
--    one transaction). At fillfactor 50 every wallet update was HOT (200,808 of 200,808 while
--    seeding 200,000 pledges; 1,274 at fillfactor 100), and the refund's wallet update went
--    from ~28 ms (4.4 MB of WAL) to ~13 ms (1 MB) per batch.
-- Nothing is rewritten: existing pages keep their fill, new pages and new row versions follow
-- the new settings. DROP INDEX holds an exclusive lock on pledges for a moment; the fillfactor
-- changes only block schema changes.
DROP INDEX IF EXISTS "pledges_unsettled_idx";--> statement-breakpoint
ALTER TABLE "pledges" SET (fillfactor = 45);--> statement-breakpoint
ALTER TABLE "accounts" SET (fillfactor = 50);
