// POST /api/v1/jobs/{id}/run: run the job now, the same as POST /api/v1/jobs/{id}/runs (the name the issue uses).
export { POST } from "../runs/route";
