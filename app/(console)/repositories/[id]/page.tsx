import { redirect } from "next/navigation";
import { browseHref } from "@/components/browse/urls";

/** A repository's address opens its browser at the latest increment (which answers 404 when not visible). */
export default async function RepositoryPage({ params }: { params: Promise<{ id: string }> }) {
  redirect(browseHref(encodeURIComponent((await params).id), ""));
}
