-- Dashboard sign-in: server-side sessions behind an httpOnly cookie, and single-use sign-in links.
-- Only SHA-256 hashes of the cookie value and of the link code are stored, so a database leak
-- gives no usable session or link. A session is revoked by setting revoked_at (logout), never
-- deleted, so the audit trail keeps who was signed in when.
CREATE TABLE "dashboard_sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"kind" text NOT NULL,
	"user_id" text,
	"login" text,
	"display_name" text,
	"csrf_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "dashboard_sessions_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "dashboard_sessions_kind" CHECK ("kind" IN ('admin', 'twitch')),
	CONSTRAINT "dashboard_sessions_twitch_user" CHECK (("kind" = 'twitch') = ("user_id" IS NOT NULL AND "login" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "dashboard_sessions_user_idx" ON "dashboard_sessions" USING btree ("user_id") WHERE "revoked_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "login_links" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"session_id" bigint REFERENCES "dashboard_sessions"("id")
);
