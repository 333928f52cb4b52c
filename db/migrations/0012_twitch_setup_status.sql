-- What the Twitch set-up checklist shows and any process can read: the last outcome of a step
-- that otherwise only reached a log line (a channel's reward creation, the bot's chat login).
CREATE TABLE "twitch_setup_status" (
	"key" text PRIMARY KEY NOT NULL,
	"channel_id" integer,
	"ok" boolean NOT NULL,
	"detail" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "twitch_setup_status" ADD CONSTRAINT "twitch_setup_status_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;
