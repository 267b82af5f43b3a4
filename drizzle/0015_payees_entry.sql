ALTER TABLE "employees" ADD COLUMN "kind" text DEFAULT 'employee' NOT NULL;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "entered_by" uuid;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;