// Search and filter bar of the users list (a plain GET form: every view has a permalink).
import { Button, Input, Select } from "@/components/ui";

export function UserFilters({ q, role, status }: { q: string; role: string; status: string }) {
  return (
    <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
      <div className="w-64">
        <Input name="q" placeholder="Search email or name" defaultValue={q} aria-label="Search" />
      </div>
      <div className="w-40">
        <Select name="role" defaultValue={role} aria-label="Role">
          <option value="">All roles</option>
          <option value="admin">admin</option>
          <option value="operator">operator</option>
          <option value="viewer">viewer</option>
        </Select>
      </div>
      <div className="w-40">
        <Select name="status" defaultValue={status} aria-label="Status">
          <option value="">Any status</option>
          <option value="active">active</option>
          <option value="disabled">disabled</option>
        </Select>
      </div>
      <Button type="submit" variant="secondary">
        Filter
      </Button>
    </form>
  );
}
