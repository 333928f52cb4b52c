-- Channel-scoped keys: each (channel_id, x) foreign key checks the referenced row and that it
-- belongs to the same channel in one probe, replacing separate channel and row keys (8 checks per
-- pledge and journal row become 6, and a transfer can no longer name another channel's account).
-- The unique (channel_id, id) indexes the new keys reference come first.
CREATE UNIQUE INDEX "accounts_channel_id_uq" ON "accounts" USING btree ("channel_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "missions_channel_id_uq" ON "missions" USING btree ("channel_id","id");--> statement-breakpoint
ALTER TABLE "pledges" DROP CONSTRAINT "pledges_channel_id_channels_id_fk";
--> statement-breakpoint
ALTER TABLE "pledges" DROP CONSTRAINT "pledges_mission_id_missions_id_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_channel_id_channels_id_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_from_account_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_to_account_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "transfers" DROP CONSTRAINT "transfers_mission_id_missions_id_fk";
--> statement-breakpoint
ALTER TABLE "pledges" ADD CONSTRAINT "pledges_mission_in_channel_fk" FOREIGN KEY ("channel_id","mission_id") REFERENCES "public"."missions"("channel_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_from_in_channel_fk" FOREIGN KEY ("channel_id","from_account") REFERENCES "public"."accounts"("channel_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_to_in_channel_fk" FOREIGN KEY ("channel_id","to_account") REFERENCES "public"."accounts"("channel_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_mission_in_channel_fk" FOREIGN KEY ("channel_id","mission_id") REFERENCES "public"."missions"("channel_id","id") ON DELETE no action ON UPDATE no action;
