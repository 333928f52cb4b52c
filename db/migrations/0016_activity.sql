-- The audit trail: one row per recorded action (who approved, who gave points, what changed in
-- the settings). Written in the same transaction as the action it records, and never changed:
-- the triggers below refuse UPDATE, DELETE and TRUNCATE, so a mistake is answered by a new
-- action, never by editing the record of an old one. channel_id is null only for entries of the
-- whole instance (the admin's sign-in, an unbound bot token).
CREATE TABLE "activity" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer REFERENCES "channels"("id"),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"source" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_user_id" text,
	"actor_login" text,
	"actor_display_name" text,
	"actor_token_id" integer,
	"mission_number" integer,
	"subject_user_id" text,
	"subject_login" text,
	"subject_display_name" text,
	"amount" bigint,
	"reason" text,
	"details" jsonb,
	CONSTRAINT "activity_source_known" CHECK ("source" IN ('chat', 'dashboard', 'api', 'worker', 'cli')),
	CONSTRAINT "activity_actor_kind_known" CHECK ("actor_kind" IN ('user', 'admin', 'token', 'system')),
	CONSTRAINT "activity_action_shape" CHECK ("action" ~ '^[a-z]+\.[a-z_]+$'),
	CONSTRAINT "activity_reason_length" CHECK (char_length("reason") <= 500)
);--> statement-breakpoint
-- Newest first per channel (the listing and its cursor), and the same order under each filter.
CREATE INDEX "activity_channel_idx" ON "activity" ("channel_id", "id" DESC);--> statement-breakpoint
CREATE INDEX "activity_channel_action_idx" ON "activity" ("channel_id", "action", "id" DESC);--> statement-breakpoint
CREATE INDEX "activity_channel_actor_idx" ON "activity" ("channel_id", "actor_login", "id" DESC) WHERE "actor_login" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "activity_channel_mission_idx" ON "activity" ("channel_id", "mission_number", "id" DESC) WHERE "mission_number" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "activity_channel_at_idx" ON "activity" ("channel_id", "at");--> statement-breakpoint
CREATE FUNCTION activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'activity is append-only (% refused)', TG_OP;
END;
$$;--> statement-breakpoint
CREATE TRIGGER activity_no_update BEFORE UPDATE OR DELETE ON activity
  FOR EACH ROW EXECUTE FUNCTION activity_append_only();--> statement-breakpoint
CREATE TRIGGER activity_no_truncate BEFORE TRUNCATE ON activity
  FOR EACH STATEMENT EXECUTE FUNCTION activity_append_only();
