-- The dashboard's viewer search: a prefix of a login or of a display name, case-insensitive.
-- Each index is the lower-cased name under the "C" collation (byte order, which is code point
-- order in UTF-8), followed by the user id, so one index range both matches the prefix and yields
-- the rows already in the page order that keyset pagination continues from: a page stops after
-- its first rows however many viewers share the prefix. The "C" collation makes that hold
-- whatever the database's own collation is.
-- Written by hand: drizzle-kit does not generate expression indexes with a collation, nor functions.
CREATE INDEX "users_login_search_idx" ON "users" ((lower("login") COLLATE "C"), ("user_id" COLLATE "C"));--> statement-breakpoint
-- Display names only where they differ from the login beyond case (Twitch allows nothing else but
-- a localised name, such as a Korean one): any other display name matches a prefix exactly when
-- its login does, and the login index has found it already. So the display-name part of a search
-- walks the few localised names instead of skipping, row by row, every viewer the login part listed.
CREATE INDEX "users_display_name_search_idx" ON "users" ((lower("display_name") COLLATE "C"), ("user_id" COLLATE "C"))
  WHERE lower("display_name") <> lower("login");--> statement-breakpoint
-- The least string above every string that starts with `p`, in "C" order: `p` with its last
-- character replaced by the next code point (past the surrogates, which text never holds). The
-- search asks for `key >= p AND key < ml_prefix_end(p)`, which the planner folds to constants and
-- reads as one index range. Past U+10FFFF there is no next code point; such a prefix (never in a
-- cleaned name) gets an empty range.
CREATE FUNCTION ml_prefix_end(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN p = '' THEN NULL
    WHEN ascii(right(p, 1)) = 1114111 THEN p
    WHEN ascii(right(p, 1)) = 55295 THEN left(p, -1) || chr(57344)
    ELSE left(p, -1) || chr(ascii(right(p, 1)) + 1)
  END
$$;
