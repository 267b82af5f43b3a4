ALTER TABLE "organisations" ADD COLUMN "handler_ip_allowlist" jsonb;--> statement-breakpoint
CREATE INDEX "audit_events_company_action_idx" ON "audit_events" USING btree ("company_id","action","seq");