CREATE TYPE "public"."account_kind" AS ENUM('wallet', 'escrow', 'treasury', 'mint');--> statement-breakpoint
CREATE TYPE "public"."mission_status" AS ENUM('pending', 'open', 'closed', 'succeeded', 'failed', 'cancelled', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."settlement_kind" AS ENUM('refunded', 'paid');--> statement-breakpoint
CREATE TYPE "public"."token_role" AS ENUM('moderator', 'owner', 'bot');--> statement-breakpoint
CREATE TYPE "public"."transfer_kind" AS ENUM('starting_balance', 'grant', 'take', 'accrual', 'redemption', 'pledge', 'refund', 'payout');--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"kind" "account_kind" NOT NULL,
	"user_id" text,
	"mission_id" bigint,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_non_negative" CHECK ("accounts"."kind" = 'mint' OR "accounts"."balance" >= 0),
	CONSTRAINT "accounts_owner_shape" CHECK (("accounts"."kind" = 'wallet') = ("accounts"."user_id" IS NOT NULL)
    AND ("accounts"."kind" = 'escrow') = ("accounts"."mission_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"channel_id" integer,
	"role" "token_role" NOT NULL,
	"label" text,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "api_tokens_scope" CHECK (("api_tokens"."role" = 'bot') OR ("api_tokens"."channel_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" serial PRIMARY KEY NOT NULL,
	"login" text NOT NULL,
	"broadcaster_id" text,
	"display_name" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"overlay_key" text NOT NULL,
	"missions_paused" boolean DEFAULT false NOT NULL,
	"next_mission_number" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channels_login_unique" UNIQUE("login")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" smallint NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "missions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"number" integer NOT NULL,
	"text" text NOT NULL,
	"status" "mission_status" NOT NULL,
	"proposer_id" text NOT NULL,
	"duration_ms" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"opened_at" timestamp with time zone,
	"deadline" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"settled" boolean DEFAULT false NOT NULL,
	"settled_at" timestamp with time zone,
	"reason" text,
	CONSTRAINT "missions_text_length" CHECK (char_length("missions"."text") BETWEEN 1 AND 200)
);
--> statement-breakpoint
CREATE TABLE "pledges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"mission_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"idempotency_key" text,
	"settlement" "settlement_kind",
	"settled_at" timestamp with time zone,
	CONSTRAINT "pledges_amount_positive" CHECK ("pledges"."amount" > 0),
	CONSTRAINT "pledges_settlement_shape" CHECK (("pledges"."settlement" IS NULL) = ("pledges"."settled_at" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"from_account" bigint NOT NULL,
	"to_account" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"kind" "transfer_kind" NOT NULL,
	"mission_id" bigint,
	"pledge_id" bigint,
	"actor" text,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transfers_amount_positive" CHECK ("transfers"."amount" > 0),
	CONSTRAINT "transfers_distinct_accounts" CHECK ("transfers"."from_account" <> "transfers"."to_account")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_users_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missions" ADD CONSTRAINT "missions_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "missions" ADD CONSTRAINT "missions_proposer_id_users_user_id_fk" FOREIGN KEY ("proposer_id") REFERENCES "public"."users"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_mission_id_missions_id_fk" FOREIGN KEY ("mission_id") REFERENCES "public"."missions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_user_id_users_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_from_account_accounts_id_fk" FOREIGN KEY ("from_account") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_to_account_accounts_id_fk" FOREIGN KEY ("to_account") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_mission_id_missions_id_fk" FOREIGN KEY ("mission_id") REFERENCES "public"."missions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_pledge_id_pledges_id_fk" FOREIGN KEY ("pledge_id") REFERENCES "public"."pledges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_wallet_uq" ON "accounts" USING btree ("channel_id","user_id") WHERE "accounts"."kind" = 'wallet';--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_escrow_uq" ON "accounts" USING btree ("mission_id") WHERE "accounts"."kind" = 'escrow';--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_system_uq" ON "accounts" USING btree ("channel_id","kind") WHERE "accounts"."kind" IN ('treasury', 'mint');--> statement-breakpoint
CREATE UNIQUE INDEX "missions_channel_number_uq" ON "missions" USING btree ("channel_id","number");--> statement-breakpoint
CREATE INDEX "missions_channel_status_idx" ON "missions" USING btree ("channel_id","status");--> statement-breakpoint
CREATE INDEX "missions_unsettled_idx" ON "missions" USING btree ("id") WHERE NOT "missions"."settled";--> statement-breakpoint
CREATE UNIQUE INDEX "pledges_idempotency_uq" ON "pledges" USING btree ("channel_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "pledges_mission_idx" ON "pledges" USING btree ("mission_id","id");--> statement-breakpoint
CREATE INDEX "pledges_unsettled_idx" ON "pledges" USING btree ("mission_id","id") WHERE "pledges"."settlement" IS NULL;--> statement-breakpoint
CREATE INDEX "pledges_user_idx" ON "pledges" USING btree ("channel_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_one_settlement_per_pledge" ON "transfers" USING btree ("pledge_id") WHERE "transfers"."kind" IN ('refund', 'payout');--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_idempotency_uq" ON "transfers" USING btree ("channel_id","kind","idempotency_key");--> statement-breakpoint
CREATE INDEX "transfers_channel_idx" ON "transfers" USING btree ("channel_id","id");--> statement-breakpoint
CREATE INDEX "transfers_from_idx" ON "transfers" USING btree ("from_account");--> statement-breakpoint
CREATE INDEX "transfers_to_idx" ON "transfers" USING btree ("to_account");--> statement-breakpoint
CREATE INDEX "users_login_idx" ON "users" USING btree ("login");