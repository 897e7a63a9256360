import { ErrorPanel } from "@/components/ui/error-panel";

export default function NotFound() {
  return <ErrorPanel code="404" title="Not found" detail="It does not exist or you may not see it." />;
}
