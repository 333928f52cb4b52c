-- Pledges and the journal drop their six per-row foreign keys for set-based reference checks
-- (below). Measured: Postgres CPU per 1,000 committed pledges in the storm bench 78 → 54 ms with
-- the keys gone; see docs/benchmarks.md for the figures with these triggers in place.
ALTER TABLE "pledges" DROP CONSTRAINT "pledges_user_id_users_user_id_fk";
--> statement-breakpoint
ALTER TABLE "pledges" DROP CONSTRAINT "pledges_mission_in_channel_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_pledge_id_pledges_id_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_from_in_channel_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_to_in_channel_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_mission_in_channel_fk";
--> statement-breakpoint
-- The references of pledges and journal rows, checked once per statement instead of once per row.
-- A foreign key runs one query (with its own executor start) per inserted row: six per pledge,
-- a third of Postgres's CPU in a pledge storm. These triggers check a whole statement's rows in
-- one query each, one index probe per reference (LATERAL … LIMIT 1: no plan can turn them into
-- a scan of a large table), and raise foreign_key_violation (23503) like the keys they replace.
-- They run after the statement, as the keys did, so a statement may insert a pledge and the
-- journal row that names it together.
CREATE FUNCTION pledges_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.channel_id, n.mission_id, n.user_id INTO bad
  FROM new_pledges n
  LEFT JOIN LATERAL (SELECT true AS hit FROM missions WHERE channel_id = n.channel_id AND id = n.mission_id LIMIT 1) m ON true
  LEFT JOIN LATERAL (SELECT true AS hit FROM users WHERE user_id = n.user_id LIMIT 1) u ON true
  WHERE m.hit IS NULL OR u.hit IS NULL
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'pledge % names mission % or user % that channel % does not have', bad.id, bad.mission_id, bad.user_id, bad.channel_id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'pledges', CONSTRAINT = 'pledges_references';
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER pledges_references AFTER INSERT ON pledges
  REFERENCING NEW TABLE AS new_pledges
  FOR EACH STATEMENT EXECUTE FUNCTION pledges_check_references();--> statement-breakpoint
CREATE FUNCTION transfers_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.channel_id, n.from_account, n.to_account, n.mission_id, n.pledge_id INTO bad
  FROM new_transfers n
  LEFT JOIN LATERAL (SELECT true AS hit FROM accounts WHERE channel_id = n.channel_id AND id = n.from_account LIMIT 1) f ON true
  LEFT JOIN LATERAL (SELECT true AS hit FROM accounts WHERE channel_id = n.channel_id AND id = n.to_account LIMIT 1) t ON true
  LEFT JOIN LATERAL (SELECT true AS hit FROM missions WHERE channel_id = n.channel_id AND id = n.mission_id LIMIT 1) m ON true
  LEFT JOIN LATERAL (SELECT true AS hit FROM pledges WHERE id = n.pledge_id LIMIT 1) p ON true
  WHERE f.hit IS NULL OR t.hit IS NULL
     OR (n.mission_id IS NOT NULL AND m.hit IS NULL)
     OR (n.pledge_id IS NOT NULL AND p.hit IS NULL)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'transfer % names an account (% → %), mission % or pledge % that channel % does not have',
      bad.id, bad.from_account, bad.to_account, bad.mission_id, bad.pledge_id, bad.channel_id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'transfers', CONSTRAINT = 'transfers_references';
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER transfers_references AFTER INSERT ON transfers
  REFERENCING NEW TABLE AS new_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION transfers_check_references();--> statement-breakpoint
-- What a foreign key also guarded: the rows named are never deleted or re-keyed, so a checked
-- reference stays valid without the row locks a key check takes. Pledges and journal rows never
-- move to another mission, user or channel either (a journal row never changes at all).
CREATE FUNCTION refuse_reference_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: pledges and the journal name these rows (%)', TG_OP, TG_TABLE_NAME, TG_NAME
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, CONSTRAINT = TG_NAME;
END;
$$;--> statement-breakpoint
CREATE TRIGGER missions_referenced BEFORE DELETE ON missions
  FOR EACH ROW EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER missions_keys_fixed BEFORE UPDATE OF id, channel_id ON missions
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)
  EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER accounts_referenced BEFORE DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER accounts_keys_fixed BEFORE UPDATE OF id, channel_id ON accounts
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.channel_id IS DISTINCT FROM NEW.channel_id)
  EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER users_referenced BEFORE DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER users_keys_fixed BEFORE UPDATE OF user_id ON users
  FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER pledges_referenced BEFORE DELETE ON pledges
  FOR EACH ROW EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE TRIGGER pledges_keys_fixed BEFORE UPDATE OF id, channel_id, mission_id, user_id ON pledges
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.channel_id IS DISTINCT FROM NEW.channel_id
                     OR OLD.mission_id IS DISTINCT FROM NEW.mission_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION refuse_reference_change();--> statement-breakpoint
CREATE FUNCTION refuse_reference_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'TRUNCATE on % refused: pledges and the journal name its rows', TG_TABLE_NAME
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
END;
$$;--> statement-breakpoint
CREATE TRIGGER missions_no_truncate BEFORE TRUNCATE ON missions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_reference_truncate();--> statement-breakpoint
CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_reference_truncate();--> statement-breakpoint
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_reference_truncate();--> statement-breakpoint
CREATE TRIGGER pledges_no_truncate BEFORE TRUNCATE ON pledges
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_reference_truncate();
