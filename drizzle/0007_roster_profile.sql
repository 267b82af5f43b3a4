ALTER TABLE "employees" ADD COLUMN "sealed_profile" "bytea";--> statement-breakpoint
ALTER TABLE "employees" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;