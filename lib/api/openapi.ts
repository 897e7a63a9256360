// The OpenAPI 3.1 description of /api/v1; every issue that adds an endpoint adds it here.
const bearer = [{ bearerAuth: [] }, { sessionCookie: [] }];
const err = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
const errors = { "401": err, "403": err };

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
    "/agents": {
      get: {
        summary: "List agents (admin)",
        responses: { "200": { description: "Agents", content: { "application/json": { schema: { type: "object", properties: { agents: { type: "array", items: { $ref: "#/components/schemas/Agent" } } } } } } }, ...errors },
      },
    },
  },
} as const;
