import type { Metadata } from "next";
import "./globals.css";

/** Every page depends on the session and the catalogue: nothing is prerendered. */
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: { default: "Strata", template: "%s · Strata" }, description: "Self-hosted backup console" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
