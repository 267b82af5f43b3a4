ALTER TABLE "employees" ADD COLUMN "device_key_wrapped" "bytea";--> statement-breakpoint
ALTER TABLE "employees" ADD COLUMN "device_invitation_id" uuid;