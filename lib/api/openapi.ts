// The OpenAPI 3.1 description of /api/v1; every issue that adds an endpoint adds it here.
const bearer = [{ bearerAuth: [] }, { sessionCookie: [] }];
const err = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
const errors = { "401": err, "403": err };
// Catalogue parameters and results (repositories, tree, history, search, changes).
const repoId = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } } as const;
const atParam = { name: "at", in: "query", schema: { type: "string" }, description: "Time spec: now, 3D, 1B, a date, a date-time or epoch seconds; default the latest increment" } as const;
const qParam = { name: "q", in: "query", required: true, schema: { type: "string" } } as const;
const searchResults = { description: "Matching versions", content: { "application/json": { schema: { type: "object", properties: { results: { type: "array", items: { $ref: "#/components/schemas/Version" } }, truncated: { type: "boolean" } } } } } } as const;

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "Strata API", version: "1", description: "Backup console API. Authenticate with a personal API token (Bearer) or a console session." },
  servers: [{ url: "/api/v1" }],
  security: bearer,
  components: {
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", description: "A personal API token made at /account/tokens" },
      sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
    },
    schemas: {
      Error: { type: "object", required: ["error"], properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } },
      Role: { type: "string", enum: ["admin", "operator", "viewer"] },
      Me: { type: "object", properties: { id: { type: "string", format: "uuid" }, email: { type: "string" }, name: { type: "string" }, role: { $ref: "#/components/schemas/Role" } } },
      User: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          email: { type: "string" },
          name: { type: "string" },
          role: { $ref: "#/components/schemas/Role" },
          disabled: { type: "boolean" },
          lastLoginAt: { type: ["string", "null"], format: "date-time" },
          createdAt: { type: "string", format: "date-time" },
        },
      },
      Host: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          address: { type: "string" },
          agent: { type: ["string", "null"] },
          jobCount: { type: "integer" },
          repositoryCount: { type: "integer" },
        },
      },
      HostInput: {
        type: "object",
        required: ["name", "address"],
        properties: {
          name: { type: "string" },
          address: { type: "string" },
          sshPort: { type: "integer" },
          sshUser: { type: "string" },
          agentId: { type: ["string", "null"], format: "uuid" },
          description: { type: "string" },
          transport: {
            type: "string",
            enum: ["ssh", "local"],
            description: '"ssh" (default): the agent reaches the host over SSH/SFTP, `address` must be a host name or IP; "local": the agent\'s own machine, read directly (needs `agentId`). `address` "local" without a transport means "local".',
          },
        },
      },
      JobMethod: { type: "string", enum: ["mirror", "tarball", "tarball_incremental", "mysql", "pgsql", "pipe", "svn"] },
      Retention: { type: "object", properties: { olderThan: { type: "string" }, keepLast: { type: "integer" }, keepDaily: { type: "integer" }, keepWeekly: { type: "integer" }, keepMonthly: { type: "integer" } } },
      Notify: { type: "object", properties: { emails: { type: "array", items: { type: "string" } }, webhook: { type: "string" }, onFailure: { type: "boolean" }, onSuccess: { type: "boolean" }, onOverdue: { type: "boolean" } } },
      JobInput: {
        type: "object",
        description: "Validated by lib/schemas/job.ts; `options` depends on `method`. `password` is write-only (empty keeps the stored one).",
        required: ["name", "method", "schedule"],
        properties: {
          name: { type: "string" },
          method: { $ref: "#/components/schemas/JobMethod" },
          enabled: { type: "boolean" },
          sources: { type: "array", items: { type: "string" } },
          includes: { type: "array", items: { type: "string" } },
          excludes: { type: "array", items: { type: "string" } },
          schedule: { type: "object", description: '{kind:"hourly",minute} | {kind:"daily",at:"HH:MM"} | {kind:"weekly",day:0-6,at} | {kind:"monthly",day:1-31,at} | {kind:"cron",expression}' },
          retention: { $ref: "#/components/schemas/Retention" },
          options: { type: "object", description: "compression, nameFormat, masterFrequency, masterDay, databases, user, host, port, command, archiveName (per method)" },
          preCommand: { type: "string" },
          postCommand: { type: "string" },
          notify: { $ref: "#/components/schemas/Notify" },
          overdueAfterHours: { type: "integer" },
          runMissed: { type: "boolean" },
          password: { type: "string", writeOnly: true },
          clearPassword: { type: "boolean" },
        },
      },
      Job: {
        type: "object",
        description: "A stored job; secrets are never returned, only hasPassword.",
        properties: {
          id: { type: "string", format: "uuid" },
          hostId: { type: "string", format: "uuid" },
          name: { type: "string" },
          method: { $ref: "#/components/schemas/JobMethod" },
          enabled: { type: "boolean" },
          sources: { type: "array", items: { type: "string" } },
          includes: { type: "array", items: { type: "string" } },
          excludes: { type: "array", items: { type: "string" } },
          schedule: { type: "string", description: "Cron expression in the agent's time zone" },
          retention: { $ref: "#/components/schemas/Retention" },
          options: { type: "object" },
          notify: { $ref: "#/components/schemas/Notify" },
          hasPassword: { type: "boolean" },
          revision: { type: "integer" },
        },
      },
      Run: {
        type: "object",
        description: "One execution of a job on an agent (the log only in GET /runs/{id}).",
        properties: {
          id: { type: "string", format: "uuid" },
          jobId: { type: ["string", "null"], format: "uuid" },
          job: { type: ["object", "null"], properties: { id: { type: "string" }, name: { type: "string" }, host: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } } } },
          type: { type: "string", enum: ["backup", "restore", "retention", "import", "test-connection"] },
          trigger: { type: "string", enum: ["schedule", "manual", "missed"] },
          status: { $ref: "#/components/schemas/RunStatus" },
          reason: { type: ["string", "null"] },
          queuedAt: { type: "string", format: "date-time" },
          startedAt: { type: ["string", "null"], format: "date-time" },
          finishedAt: { type: ["string", "null"], format: "date-time" },
          durationMs: { type: ["integer", "null"] },
          final: { type: "boolean" },
          stats: { type: "object", description: "sourceFiles, sourceBytes, changedFiles, newFiles, deletedFiles, incrementBytes, errors, removedIncrements, restoredBytes, restoredFiles" },
          progress: { type: ["object", "null"], properties: { items: { type: "integer" }, bytes: { type: "integer" }, currentPath: { type: "string" } } },
          logLines: { type: "integer", description: "Log lines received (held plus dropped by the console)" },
          droppedLogLines: { type: "integer" },
          cancelRequestedAt: { type: ["string", "null"], format: "date-time" },
          incrementTime: { type: ["string", "null"], format: "date-time", description: "Session time of the increment this run wrote" },
          log: { type: "string", description: "GET /runs/{id} only: the stored log, one line per \\n" },
        },
      },
      RunStatus: { type: "string", enum: ["queued", "running", "success", "partial", "failed", "cancelled", "skipped"] },
      ValidationError: {
        type: "object",
        properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, fieldErrors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } } } },
      },
      Agent: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          version: { type: ["string", "null"] },
          hostname: { type: ["string", "null"] },
          lastSeenAt: { type: ["string", "null"], format: "date-time" },
          online: { type: "boolean" },
        },
      },
      Repository: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          format: { type: "string", enum: ["mirror", "archive"] },
          path: { type: "string", description: "Path on the agent's disk" },
          host: { type: ["object", "null"], properties: { id: { type: "string" }, name: { type: "string" } } },
          agent: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } },
          importState: { type: ["string", "null"], enum: ["pending", "running", "complete", "failed", null] },
          importError: { type: ["string", "null"] },
          incrementCount: { type: "integer" },
          firstIncrementAt: { type: ["string", "null"], format: "date-time" },
          lastIncrementAt: { type: ["string", "null"], format: "date-time" },
        },
      },
      Increment: {
        type: "object",
        properties: {
          id: { type: "string" },
          time: { type: "string", format: "date-time" },
          kind: { type: "string", enum: ["full", "incremental", "mirror"] },
          sizeBytes: { type: "integer" },
          treeBytes: { type: "integer" },
          fileCount: { type: "integer" },
          newCount: { type: "integer" },
          changedCount: { type: "integer" },
          deletedCount: { type: "integer" },
        },
      },
      ResolvedTime: {
        type: "object",
        description: "The increment a time spec resolved to",
        properties: { increment: { type: "object", properties: { id: { type: "string" }, time: { type: "string", format: "date-time" }, kind: { type: "string" } } }, spec: { type: "string" }, resolvedFrom: { type: "string", format: "date-time" } },
      },
      UserHosts: {
        type: "object",
        properties: {
          id: { type: "string" },
          email: { type: "string" },
          role: { $ref: "#/components/schemas/Role" },
          hosts: { type: "array", items: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } } },
        },
      },
      TreeEntry: {
        type: "object",
        properties: {
          name: { type: "string" },
          path: { type: "string" },
          type: { type: "string", enum: ["file", "dir", "symlink", "fifo", "socket", "chardev", "blockdev"] },
          size: { type: "integer" },
          mtime: { type: ["string", "null"], format: "date-time" },
          mode: { type: ["integer", "null"] },
          linkTarget: { type: ["string", "null"] },
          pathBase64: { type: ["string", "null"], description: "The path's exact bytes (base64) when they are not valid UTF-8; `path` then shows each invalid byte as \\xHH" },
          changedInThisIncrement: { type: "boolean" },
          changeInThisIncrement: { type: ["string", "null"], enum: ["new", "changed", null], description: "How the entry appeared in this increment: new, or changed (it had a version just before)" },
          deletedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
      Version: {
        type: "object",
        properties: {
          repositoryId: { type: "string" },
          repositoryName: { type: "string" },
          path: { type: "string" },
          type: { type: "string" },
          size: { type: "integer" },
          mtime: { type: ["string", "null"], format: "date-time" },
          validFrom: { type: "string", format: "date-time" },
          validUntil: { type: ["string", "null"], format: "date-time", description: "Exclusive; null while current" },
        },
      },
    },
  },
  paths: {
    "/me": { get: { summary: "The caller", responses: { "200": { description: "The authenticated user", content: { "application/json": { schema: { $ref: "#/components/schemas/Me" } } } }, "401": err } } },
    "/users": {
      get: {
        summary: "List users (admin)",
        parameters: [{ name: "q", in: "query", schema: { type: "string" } }],
        responses: { "200": { description: "Users", content: { "application/json": { schema: { type: "object", properties: { users: { type: "array", items: { $ref: "#/components/schemas/User" } } } } } } }, ...errors },
      },
      post: {
        summary: "Create a user (admin); without a password one is generated and returned once",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { type: "object", required: ["email", "name", "role"], properties: { email: { type: "string" }, name: { type: "string" }, role: { $ref: "#/components/schemas/Role" }, password: { type: "string" } } },
            },
          },
        },
        responses: { "201": { description: "Created" }, "400": err, "409": err, ...errors },
      },
    },
    "/users/{id}/hosts": {
      get: {
        summary: "Hosts assigned to a user (admin): an operator or viewer sees only these hosts and their repositories",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        responses: { "200": { description: "The user and their hosts", content: { "application/json": { schema: { $ref: "#/components/schemas/UserHosts" } } } }, "404": err, ...errors },
      },
      put: {
        summary: "Replace the hosts assigned to a user (admin, audited)",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { type: "object", required: ["hosts"], additionalProperties: false, properties: { hosts: { type: "array", items: { type: "string" }, description: "Host ids or names; empty removes every assignment" } } } } },
        },
        responses: { "200": { description: "The user and their hosts now", content: { "application/json": { schema: { $ref: "#/components/schemas/UserHosts" } } } }, "400": err, "404": err, ...errors },
      },
    },
    "/hosts": {
      get: { summary: "Hosts the caller may see", responses: { "200": { description: "Hosts", content: { "application/json": { schema: { type: "object", properties: { hosts: { type: "array", items: { $ref: "#/components/schemas/Host" } } } } } } }, "401": err } },
      post: {
        summary: "Create a host (admin)",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/HostInput" } } } },
        responses: { "201": { description: "Created" }, "400": { description: "Invalid fields", content: { "application/json": { schema: { $ref: "#/components/schemas/ValidationError" } } } }, "409": err, ...errors },
      },
    },
    "/hosts/{id}/jobs": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      get: { summary: "Jobs of a host the caller may see", responses: { "200": { description: "Jobs", content: { "application/json": { schema: { type: "object", properties: { jobs: { type: "array", items: { $ref: "#/components/schemas/Job" } } } } } } }, "404": err, ...errors } },
      post: {
        summary: "Create a job (admin; operator on an assigned host)",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/JobInput" } } } },
        responses: { "201": { description: "Created: id, name, revision" }, "400": { description: "Invalid fields", content: { "application/json": { schema: { $ref: "#/components/schemas/ValidationError" } } } }, "404": err, "409": err, ...errors },
      },
    },
    "/jobs/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      get: { summary: "One job (never its secrets)", responses: { "200": { description: "The job", content: { "application/json": { schema: { type: "object", properties: { job: { $ref: "#/components/schemas/Job" } } } } } }, "404": err, ...errors } },
      put: {
        summary: "Replace a job's settings (admin; operator on an assigned host); bumps its revision",
        requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/JobInput" } } } },
        responses: { "200": { description: "Saved: id, name, revision" }, "400": { description: "Invalid fields", content: { "application/json": { schema: { $ref: "#/components/schemas/ValidationError" } } } }, "404": err, "409": err, ...errors },
      },
      delete: { summary: "Delete a job (admin; operator on an assigned host); its repository stays", responses: { "200": { description: "Deleted" }, "404": err, ...errors } },
    },
    "/jobs/{id}/runs": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      get: {
        summary: "The job's runs, newest first",
        parameters: [{ name: "limit", in: "query", schema: { type: "integer", default: 50, maximum: 500 } }],
        responses: { "200": { description: "Runs", content: { "application/json": { schema: { type: "object", properties: { runs: { type: "array", items: { $ref: "#/components/schemas/Run" } } } } } } }, "404": err, ...errors },
      },
      post: {
        summary: "Run the job now (admin; operator on an assigned host): a queued manual run its agent picks up within seconds",
        responses: {
          "201": { description: "Queued", content: { "application/json": { schema: { type: "object", properties: { run: { type: "object", properties: { id: { type: "string" }, status: { type: "string" }, queuedAt: { type: "string" } } } } } } } },
          "404": err,
          "409": { description: "A run of this job is already queued or running (`runId` names it), or the host has no agent. A queued manual run its agent never picked up (agent offline, or queued over 10 minutes) does not block: it is cancelled and replaced", content: { "application/json": { schema: { type: "object", properties: { error: { type: "object" }, runId: { type: ["string", "null"] } } } } } },
          ...errors,
        },
      },
    },
    "/jobs/{id}/run": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      post: { summary: "Run the job now: the same as POST /jobs/{id}/runs", responses: { "201": { description: "Queued" }, "404": err, "409": err, ...errors } },
    },
    "/runs": {
      get: {
        summary: "Recent runs of the hosts the caller may see, newest first",
        parameters: [
          { name: "hostId", in: "query", schema: { type: "string", format: "uuid" } },
          { name: "status", in: "query", schema: { $ref: "#/components/schemas/RunStatus" } },
          { name: "limit", in: "query", schema: { type: "integer", default: 100, maximum: 500 } },
        ],
        responses: { "200": { description: "Runs", content: { "application/json": { schema: { type: "object", properties: { runs: { type: "array", items: { $ref: "#/components/schemas/Run" } } } } } } }, "400": err, ...errors },
      },
    },
    "/runs/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      get: { summary: "One run with its stored log", responses: { "200": { description: "The run", content: { "application/json": { schema: { type: "object", properties: { run: { $ref: "#/components/schemas/Run" } } } } } }, "404": err, ...errors } },
    },
    "/runs/{id}/cancel": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      post: {
        summary: "Cancel a run (admin; operator on an assigned host): a queued run at once, a running one when its agent sees the request",
        responses: { "200": { description: "The run's status and cancelRequestedAt" }, "404": err, "409": { description: "The run has already finished", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }, ...errors },
      },
    },
    "/runs/{id}/events": {
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
        { name: "from", in: "query", schema: { type: "integer" }, description: "Log lines the client already has (or send Last-Event-ID)" },
      ],
      get: {
        summary: "The run's live log as server-sent events: `log` {offset, lines} (id = lines sent), `status` {status, progress, logLines, ...}, `end` {status} on the final status",
        responses: { "200": { description: "Event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, "404": err, ...errors },
      },
    },
    "/agents": {
      get: {
        summary: "List agents (admin)",
        responses: { "200": { description: "Agents", content: { "application/json": { schema: { type: "object", properties: { agents: { type: "array", items: { $ref: "#/components/schemas/Agent" } } } } } } }, ...errors },
      },
    },
    "/repositories": {
      get: {
        summary: "Repositories the caller may see",
        responses: { "200": { description: "Repositories", content: { "application/json": { schema: { type: "object", properties: { repositories: { type: "array", items: { $ref: "#/components/schemas/Repository" } } } } } } }, ...errors },
      },
      post: {
        summary: "Import an existing repository on an agent's disk (admin); the import runs in the background",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["agent", "path", "format"],
                properties: { agent: { type: "string", description: "Agent name or id" }, path: { type: "string" }, host: { type: "string", description: "Host name" }, format: { type: "string", enum: ["mirror", "archive"] }, name: { type: "string" } },
              },
            },
          },
        },
        responses: { "202": { description: "Registered; poll GET /repositories/{id} for importState", content: { "application/json": { schema: { type: "object", properties: { id: { type: "string" }, runId: { type: "string" } } } } } }, "400": err, "409": err, ...errors },
      },
    },
    "/repositories/{id}": {
      get: {
        summary: "One repository with its import state and progress",
        parameters: [repoId],
        responses: { "200": { description: "Repository", content: { "application/json": { schema: { type: "object", properties: { repository: { $ref: "#/components/schemas/Repository" } } } } } }, "404": err, ...errors },
      },
    },
    "/repositories/{id}/increments": {
      get: {
        summary: "Increments, oldest first, with sizes and change counts",
        parameters: [repoId],
        responses: { "200": { description: "Increments", content: { "application/json": { schema: { type: "object", properties: { increments: { type: "array", items: { $ref: "#/components/schemas/Increment" } } } } } } }, "404": err, ...errors },
      },
    },
    "/repositories/{id}/tree": {
      get: {
        summary: "A directory as it was at a time (keyset-paged)",
        parameters: [
          repoId,
          { name: "path", in: "query", schema: { type: "string" }, description: "Directory, relative; empty for the root" },
          atParam,
          { name: "showDeleted", in: "query", schema: { type: "boolean" } },
          { name: "sort", in: "query", schema: { type: "string", enum: ["name", "size", "mtime"] } },
          { name: "order", in: "query", schema: { type: "string", enum: ["asc", "desc"] } },
          { name: "filter", in: "query", schema: { type: "string" }, description: "Name substring" },
          { name: "cursor", in: "query", schema: { type: "string" }, description: "nextCursor of the previous page" },
          { name: "limit", in: "query", schema: { type: "integer", maximum: 5000 } },
        ],
        responses: {
          "200": {
            description: "Entries",
            content: { "application/json": { schema: { type: "object", properties: { path: { type: "string" }, at: { $ref: "#/components/schemas/ResolvedTime" }, entries: { type: "array", items: { $ref: "#/components/schemas/TreeEntry" } }, nextCursor: { type: ["string", "null"] } } } } },
          },
          "400": err,
          "404": err,
          ...errors,
        },
      },
    },
    "/repositories/{id}/history": {
      get: {
        summary: "Every version of one path as new / changed / deleted events",
        parameters: [repoId, { name: "path", in: "query", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "Events", content: { "application/json": { schema: { type: "object", properties: { path: { type: "string" }, events: { type: "array", items: { type: "object" } } } } } } }, "400": err, "404": err, ...errors },
      },
    },
    "/repositories/{id}/search": {
      get: {
        summary: "Versions whose name matches (substring, or glob with * and ?; a pattern with / matches paths)",
        parameters: [repoId, qParam, { name: "limit", in: "query", schema: { type: "integer", maximum: 1000 } }],
        responses: { "200": searchResults, "400": err, "404": err, ...errors },
      },
    },
    "/search": {
      get: {
        summary: "Version search across every repository the caller may see",
        parameters: [qParam, { name: "limit", in: "query", schema: { type: "integer", maximum: 1000 } }],
        responses: { "200": searchResults, "400": err, ...errors },
      },
    },
    "/repositories/{id}/changes": {
      get: {
        summary: "Paths new, changed and deleted between two times",
        parameters: [
          repoId,
          { name: "from", in: "query", required: true, schema: { type: "string" } },
          { name: "to", in: "query", schema: { type: "string" }, description: "Default: the latest increment" },
          { name: "path", in: "query", schema: { type: "string" }, description: "Only under this directory" },
        ],
        responses: {
          "200": { description: "Changes", content: { "application/json": { schema: { type: "object", properties: { from: { $ref: "#/components/schemas/ResolvedTime" }, to: { $ref: "#/components/schemas/ResolvedTime" }, new: { type: "array", items: { type: "object" } }, changed: { type: "array", items: { type: "object" } }, deleted: { type: "array", items: { type: "object" } }, truncated: { type: "boolean" } } } } } },
          "400": err,
          "404": err,
          ...errors,
        },
      },
    },
    "/repositories/{id}/file": {
      get: {
        summary: "One file's bytes as they were at a time (Range requests supported)",
        description:
          "Streams the file from the repository's agent. Next.js strips Content-Length from streamed answers, so the byte count is also sent as X-Content-Length. ETag is the version's digest and increment; X-Strata-Increment names the increment the time resolved to.",
        parameters: [
          repoId,
          { name: "path", in: "query", required: true, schema: { type: "string" }, description: "File, relative to the repository root" },
          atParam,
          { name: "Range", in: "header", schema: { type: "string" }, description: "One byte range, e.g. bytes=0-99 or bytes=-100" },
        ],
        responses: {
          "200": { description: "The bytes", headers: { "X-Content-Length": { schema: { type: "integer" } }, ETag: { schema: { type: "string" } } }, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          "206": { description: "The requested range (Content-Range)", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          "304": { description: "Unchanged (If-None-Match)" },
          "400": err,
          "404": err,
          "416": { description: "Range not satisfiable (Content-Range: bytes */size)" },
          "502": err,
          "503": err,
          ...errors,
        },
      },
    },
    "/repositories/{id}/archive": {
      get: {
        summary: "A folder as it was at a time, as zip or tar.gz built on the fly",
        parameters: [
          repoId,
          { name: "path", in: "query", schema: { type: "string" }, description: "Folder, relative; empty for the whole repository" },
          atParam,
          { name: "format", in: "query", schema: { type: "string", enum: ["zip", "tar.gz"], default: "zip" } },
          {
            name: "compression",
            in: "query",
            schema: { type: "string", enum: ["auto", "store"], default: "auto" },
            description: "auto: deflate (fast level) what shrinks, store random and already compressed data; store: no compression (fastest, largest)",
          },
        ],
        responses: {
          "200": { description: "The archive (entries under the folder's name)", content: { "application/zip": { schema: { type: "string", format: "binary" } }, "application/gzip": { schema: { type: "string", format: "binary" } } } },
          "400": err,
          "404": err,
          "502": err,
          "503": err,
          ...errors,
        },
      },
    },
    "/repositories/{id}/restore": {
      post: {
        summary: "Restore a path as it was back to a host (admin; operator on assigned hosts): a queued restore run its agent picks up",
        description:
          "Every field is optional. `host` (name or id) defaults to the repository's own host and must be a host of the repository's agent the caller may manage; `path` is inside the repository (default everything); `at` any time spec, resolved to an increment (default the latest); `target` an absolute path (default the original path when the repository's mirror job tells it); `overwrite` replaces existing files (default false: existing files are kept, each logged, and the run ends partial). Mirror and archive repositories alike (an archive repository's path is restored as it was in that day's archives). A path whose name is not valid UTF-8 (shown with `\\xHH` escapes) is restored by its exact bytes.",
        parameters: [repoId],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { host: { type: "string" }, path: { type: "string" }, at: { type: "string" }, target: { type: "string" }, overwrite: { type: "boolean", default: false } },
              },
            },
          },
        },
        responses: {
          "202": {
            description: "Queued; follow the run at `url` (or GET /runs/{runId} and /runs/{runId}/events)",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    runId: { type: "string", format: "uuid" },
                    url: { type: "string" },
                    status: { type: "string" },
                    increment: { type: "object", properties: { time: { type: "string", format: "date-time" }, kind: { type: "string" } } },
                    host: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } },
                    path: { type: "string" },
                    target: { type: "string" },
                    overwrite: { type: "boolean" },
                  },
                },
              },
            },
          },
          "400": { description: "A bad value; `error.fieldErrors` names each field", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "404": err,
          ...errors,
        },
      },
    },
  },
} as const;
