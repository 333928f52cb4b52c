-- The transfer journal is append-only: corrections are new transfers, never edits.
CREATE FUNCTION transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'transfers is append-only (% refused)', TG_OP;
END;
$$;--> statement-breakpoint
CREATE TRIGGER transfers_no_update BEFORE UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION transfers_append_only();--> statement-breakpoint
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
  FOR EACH STATEMENT EXECUTE FUNCTION transfers_append_only();
