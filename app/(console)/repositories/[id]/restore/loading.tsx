import { SkeletonRows } from "@/components/ui";

export default function Loading() {
  return <SkeletonRows rows={6} />;
}
