DROP INDEX "pledges_user_idx";--> statement-breakpoint
CREATE INDEX "pledges_user_idx" ON "pledges" USING btree ("channel_id","user_id","mission_id");