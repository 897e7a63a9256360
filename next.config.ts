// Next.js configuration: PGlite stays outside the bundle; auth interrupts give real 403 pages.
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-socket", "ssh2", "archiver"],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
