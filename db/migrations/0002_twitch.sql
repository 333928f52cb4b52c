CREATE TABLE "accrual_credits" (
	"channel_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"interval_start" timestamp with time zone NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "accrual_credits_channel_id_user_id_interval_start_pk" PRIMARY KEY("channel_id","user_id","interval_start")
);
--> statement-breakpoint
CREATE TABLE "channel_moderators" (
	"channel_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_moderators_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "chat_activity" (
	"channel_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"last_chat_at" timestamp with time zone NOT NULL,
	CONSTRAINT "chat_activity_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"state" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemptions" (
	"redemption_id" text PRIMARY KEY NOT NULL,
	"channel_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"reward_id" text NOT NULL,
	"points" integer NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "redemptions_status" CHECK ("redemptions"."status" IN ('credited', 'fulfilled', 'canceled'))
);
--> statement-breakpoint
CREATE TABLE "twitch_rewards" (
	"channel_id" integer PRIMARY KEY NOT NULL,
	"reward_id" text NOT NULL,
	"cost" integer NOT NULL,
	"points" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "twitch_tokens" (
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"login" text NOT NULL,
	"scopes" text[] NOT NULL,
	"token_enc" text NOT NULL,
	"status" text DEFAULT 'valid' NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "twitch_tokens_user_id_role_pk" PRIMARY KEY("user_id","role"),
	CONSTRAINT "twitch_tokens_role" CHECK ("twitch_tokens"."role" IN ('bot', 'broadcaster')),
	CONSTRAINT "twitch_tokens_status" CHECK ("twitch_tokens"."status" IN ('valid', 'invalid'))
);
--> statement-breakpoint
ALTER TABLE "accrual_credits" ADD CONSTRAINT "accrual_credits_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accrual_credits" ADD CONSTRAINT "accrual_credits_user_id_users_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_moderators" ADD CONSTRAINT "channel_moderators_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_activity" ADD CONSTRAINT "chat_activity_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_activity" ADD CONSTRAINT "chat_activity_user_id_users_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "twitch_rewards" ADD CONSTRAINT "twitch_rewards_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_activity_recent_idx" ON "chat_activity" USING btree ("channel_id","last_chat_at");