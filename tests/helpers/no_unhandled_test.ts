import assert from "node:assert/strict";
import { noUnhandledRejections } from "./no_unhandled.ts";

Deno.test("noUnhandledRejections() fails a test that leaves a rejection unhandled", async () => {
  const guarded = noUnhandledRejections(async () => {
    void Promise.reject(new RangeError("left alone"));
    await new Promise((r) => setTimeout(r, 10));
  });
  await assert.rejects(guarded, (error: Error) => {
    assert.match(error.message, /unhandled promise rejections/);
    assert.match(JSON.stringify((error as { actual?: unknown }).actual), /RangeError: left alone/);
    return true;
  });
});

Deno.test("noUnhandledRejections() passes a test whose rejections are all handled", async () => {
  await noUnhandledRejections(async () => {
    await Promise.reject(new Error("handled")).catch(() => {});
  })();
});
