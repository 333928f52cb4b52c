-- Viewer sessions: a Twitch sign-in from a channel's public board. Such a session names a Twitch
-- user like a `twitch` session does, but never carries a channel role: it is only ever that
-- user acting as a chat viewer, even if the user also moderates or broadcasts a channel.
ALTER TABLE "dashboard_sessions" DROP CONSTRAINT "dashboard_sessions_kind";--> statement-breakpoint
ALTER TABLE "dashboard_sessions" ADD CONSTRAINT "dashboard_sessions_kind" CHECK ("kind" IN ('admin', 'twitch', 'viewer'));--> statement-breakpoint
ALTER TABLE "dashboard_sessions" DROP CONSTRAINT "dashboard_sessions_twitch_user";--> statement-breakpoint
ALTER TABLE "dashboard_sessions" ADD CONSTRAINT "dashboard_sessions_twitch_user" CHECK (("kind" IN ('twitch', 'viewer')) = ("user_id" IS NOT NULL AND "login" IS NOT NULL));
