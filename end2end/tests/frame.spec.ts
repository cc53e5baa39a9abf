// Signing in inside another site's frame, as in Replit's preview pane: the app
// behind an HTTPS proxy (its own origin) embedded in a page of another site.
// The session cookie must be one browsers send there (SameSite=None; Secure;
// Partitioned), the page must allow that frame (FRAME_ANCESTORS, set by
// scripts/test), and the app's own origin checks must still let its changes in.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { test, expect, type Frame } from "@playwright/test";
import { adminToken } from "./fixtures";

/** A certificate for localhost and 127.0.0.1, made for this run. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-tls-"));
  const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-keyout", key, "-out", cert, "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  const pair = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  fs.rmSync(dir, { recursive: true });
  return pair;
}

function listen(server: https.Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** Forwards everything to the app over plain HTTP, saying the client came over HTTPS. */
function proxyTo(appPort: number, tls: { key: Buffer; cert: Buffer }): https.Server {
  return https.createServer(tls, (request, response) => {
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: appPort,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, "x-forwarded-proto": "https" },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
}

let proxy: https.Server;
let host: https.Server;
let appOrigin: string;
let hostOrigin: string;

test.beforeAll(async () => {
  const tls = selfSignedCertificate();
  const appPort = Number(process.env.E2E_PORT ?? 3000);
  proxy = proxyTo(appPort, tls);
  appOrigin = `https://127.0.0.1:${await listen(proxy, "127.0.0.1")}`;
  // Another site: localhost and 127.0.0.1 are different sites to a browser.
  host = https.createServer(tls, (_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end(`<!doctype html><title>Another site</title>
      <h1>A workspace</h1>
      <iframe id="preview" src="${appOrigin}/signin" width="900" height="700"></iframe>`);
  });
  hostOrigin = `https://localhost:${await listen(host, "127.0.0.1")}`;
});

test.afterAll(async () => {
  proxy?.close();
  host?.close();
});

test.use({ ignoreHTTPSErrors: true });

function preview(frames: Frame[]): Frame {
  const frame = frames.find((f) => f.url().startsWith(appOrigin));
  if (!frame) throw new Error(`no frame of ${appOrigin} among ${frames.map((f) => f.url()).join(", ")}`);
  return frame;
}

async function sessionIn(frame: Frame): Promise<{ signed_in: boolean }> {
  return frame.evaluate(() => fetch("/api/session").then((r) => r.json()));
}

test("signing in inside another site's frame works, changes pass, and signing out there ends it", async ({ page }) => {
  await page.goto(`${hostOrigin}/`);
  const frame = page.frameLocator("#preview");

  await frame.getByLabel("Admin token").fill(adminToken);
  await frame.getByRole("button", { name: "Sign in" }).click();

  await expect(frame.getByTestId("sign-out")).toBeVisible();
  await expect(frame.getByTestId("upload-area")).toBeVisible();
  const inside = preview(page.frames());
  expect((await sessionIn(inside)).signed_in).toBe(true);
  // A change from the frame's own page: the origin checks let it in.
  const status = await inside.evaluate(() =>
    fetch("/api/delete", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=not-there-at-all.png",
    }).then((r) => r.status),
  );
  expect(status).toBe(200);

  await frame.getByTestId("sign-out").click();

  await expect(frame.getByTestId("sign-in")).toBeVisible();
  expect((await sessionIn(preview(page.frames()))).signed_in).toBe(false);
});

test("the pages name who may frame them, and nothing else may be framed", async ({ request }) => {
  // FRAME_ANCESTORS, as scripts/test sets it: the host page's site only.
  const answer = await request.get(`${appOrigin}/signin`, { ignoreHTTPSErrors: true });
  const policy = answer.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors https://localhost:*");
  expect(policy).not.toContain("frame-ancestors 'none'");
  // The app's JSON and images stay unframeable.
  const json = await request.get(`${appOrigin}/api/session`, { ignoreHTTPSErrors: true });
  expect(json.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
