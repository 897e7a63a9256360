import { ErrorPanel } from "@/components/ui/error-panel";

export default function Forbidden() {
  return <ErrorPanel code="403" title="You do not have access to this page" detail="Ask an administrator if you need it." />;
}
