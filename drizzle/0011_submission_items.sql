CREATE TABLE "submission_images" (
	"submission_id" uuid NOT NULL,
	"item_index" integer NOT NULL,
	"company_id" uuid NOT NULL,
	"employee_id" uuid NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "submission_images_submission_id_item_index_pk" PRIMARY KEY("submission_id","item_index")
);
--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "purposes" jsonb DEFAULT '["withholding","employment_insurance","social_insurance"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "status" text DEFAULT 'submitted' NOT NULL;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "status_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "image_hashes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "submissions" ADD COLUMN "supersedes" uuid;--> statement-breakpoint
ALTER TABLE "submission_images" ADD CONSTRAINT "submission_images_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_images" ADD CONSTRAINT "submission_images_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;