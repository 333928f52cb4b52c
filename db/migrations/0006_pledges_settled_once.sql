-- A settled pledge never changes again (ledger invariant: every pledge is settled at most once). A payout batch journals one
-- escrow → treasury row for all its pledges, so the unique index on per-pledge settlement rows
-- (kept for refunds) no longer guards paid pledges: the pledge row guards itself. The trigger
-- fires only for rows already settled (the WHEN test costs nothing on the unsettled ones that
-- settlement updates) and does not stop settling from being a heap-only update.
CREATE FUNCTION pledges_settled_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'pledge % is settled (%) and cannot change', OLD.id, OLD.settlement;
END;
$$;--> statement-breakpoint
CREATE TRIGGER pledges_settled_final BEFORE UPDATE ON pledges
  FOR EACH ROW WHEN (OLD.settlement IS NOT NULL) EXECUTE FUNCTION pledges_settled_once();
