import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { MCPOrchestrator } from "../runtime/mod.ts";
import { McpServer, WebStandardStreamableHTTPServerTransport } from "../runtime/sdk.ts";
import { freePort } from "./helpers/servers.ts";

Deno.test("MCPOrchestrator regenerates a server's module and search index after tools/list_changed", async () => {
  const server = new McpServer({ name: "weather", version: "1.0.0" });
  server.registerTool("get_forecast", {
    description: "Get the weather forecast for a city",
    inputSchema: { city: z.string().describe("City name") },
  }, ({ city }) => ({ content: [{ type: "text", text: `Sunny in ${city}` }] }));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
  });
  await server.connect(transport);
  const port = freePort();
  const http = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    (req) => transport.handleRequest(req),
  );
  const dir = await Deno.makeTempDir();
  const orch = new MCPOrchestrator({
    config: {
      servers: { weather: { type: "http", url: `http://127.0.0.1:${port}/mcp`, headers: {} } },
    },
    serversDir: join(dir, "servers"),
    stateDir: join(dir, "state"),
    poolSize: 1,
  });
  try {
    await orch.initialize();
    assert.deepEqual(orch.searchTools("air quality", { detail: "name" }).map((h) => h.name), []);
    const changed = new Promise<readonly string[]>((resolve) =>
      orch.onToolsChanged((_, tools) => resolve(tools.map((t) => t.name)))
    );
    server.registerTool("get_air_quality", {
      description: "Get the air quality index for a city",
      inputSchema: { city: z.string() },
    }, ({ city }) => ({ content: [{ type: "text", text: `AQI 12 in ${city}` }] }));
    assert.deepEqual(await changed, ["get_forecast", "get_air_quality"]);

    const index = await Deno.readTextFile(join(dir, "servers/weather/index.ts"));
    assert.match(index, /export \{ getAirQuality \} from "\.\/getAirQuality\.ts";/);
    assert.equal(
      orch.searchTools("air quality", { detail: "name" })[0]?.name,
      "weather.get_air_quality",
    );
    assert.deepEqual(orch.listTools("weather").map((t) => t.functionName), [
      "getForecast",
      "getAirQuality",
    ]);

    const result = await orch.executeTask({
      id: "aqi",
      description: "call the new tool",
      code: `return await weather.getAirQuality({ city: "Oslo" });`,
      requiredTools: ["weather"],
      status: "pending",
    });
    assert.equal(result.status, "completed", JSON.stringify(result.error));
    assert.equal(result.data, "AQI 12 in Oslo");
  } finally {
    await orch.shutdown({ drainTimeoutMs: 0 });
    await server.close();
    await http.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
