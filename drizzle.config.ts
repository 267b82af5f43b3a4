import { defineConfig } from 'drizzle-kit';

// Generates SQL only (`npm run db:generate`); migrations are applied by the server at start-up.
// Never point drizzle-kit at a PGlite folder a server has open (STACK.md §4.4).
export default defineConfig({
	dialect: 'postgresql',
	schema: './server/db/schema.ts',
	out: './drizzle'
});
