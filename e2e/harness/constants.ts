// Fixed values shared by the e2e server and the specs.
export const E2E_PORT = Number(process.env.STRATA_E2E_PORT ?? 3100); // override to run beside another e2e server
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-Strong-passw0rd-42" };
