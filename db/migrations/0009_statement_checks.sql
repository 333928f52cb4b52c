-- A statement's own consistency check, raised inside the statement: a pledge batch sends its
-- COMMIT behind its writes without waiting for their results (db/pipeline.ts), so a check made in
-- the application after the results arrive could no longer stop the commit. Used as
-- `ml_check(<condition>, '<message>')` in a single-row SELECT list; raises P0001 with the message.
CREATE FUNCTION "ml_check"(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
