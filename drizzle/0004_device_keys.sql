ALTER TABLE "employees" ADD COLUMN "device_invitation_id" uuid;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "sealed_device_secret" "bytea";--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "device_public_key" text;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "device_mac" text;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "invitation_id" uuid;