-- Balances brought over from another bot are minted as transfers of their own kind.
ALTER TYPE "transfer_kind" ADD VALUE IF NOT EXISTS 'import';--> statement-breakpoint
-- Imported viewers known only by login, until their Twitch user id is known (identity is the id).
CREATE TABLE "point_imports_pending" (
	"channel_id" integer NOT NULL REFERENCES "channels"("id"),
	"file_sha256" text NOT NULL,
	"login" text NOT NULL,
	"points" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" text,
	"credited_at" timestamp with time zone,
	CONSTRAINT "point_imports_pending_pk" PRIMARY KEY ("channel_id", "file_sha256", "login"),
	CONSTRAINT "point_imports_pending_points_positive" CHECK ("points" > 0),
	CONSTRAINT "point_imports_pending_credited_shape" CHECK (("credited_at" IS NULL) = ("user_id" IS NULL))
);--> statement-breakpoint
CREATE INDEX "point_imports_pending_open_idx" ON "point_imports_pending" ("channel_id", "login") WHERE "credited_at" IS NULL;
