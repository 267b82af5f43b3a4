ALTER TABLE "companies" ADD COLUMN "recovery_kit_epoch" integer;--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "recovery_kit_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "recovery_kit_confirmed_by" uuid;--> statement-breakpoint
ALTER TABLE "companies" ADD CONSTRAINT "companies_recovery_kit_confirmed_by_users_id_fk" FOREIGN KEY ("recovery_kit_confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;