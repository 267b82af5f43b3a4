import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { companyRouter } from './routers/company';
import { disposalRouter } from './routers/disposal';
import { employeeRouter } from './routers/employee';
import { employeePasskeyRouter } from './routers/employee-passkey';
import { exportFormatRouter } from './routers/exports';
import { joinRouter } from './routers/join';
import { keysRouter } from './routers/keys';
import { orgRouter } from './routers/org';
import { partnerRouter } from './routers/partner';
import { passkeyRouter } from './routers/passkey';
import { setupRouter } from './routers/setup';
import { submissionRouter } from './routers/submission';
import { usersRouter } from './routers/users';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
	setup: setupRouter,
	org: orgRouter,
	partner: partnerRouter,
	auth: authRouter,
	keys: keysRouter,
	passkey: passkeyRouter,
	company: companyRouter,
	employee: employeeRouter,
	employeePasskey: employeePasskeyRouter,
	join: joinRouter,
	submission: submissionRouter,
	disposal: disposalRouter,
	exportFormat: exportFormatRouter,
	audit: auditRouter,
	users: usersRouter
});

/** The only thing the browser imports from the server, and only as a type. */
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
